import FunctionsFramework
import PopulateStage

/// Populate: a shard message becomes one Cloud Task per image.
await FunctionMain.run(name: "populate") { _, environment, logger in
    try PopulateFunction.definition(environment: environment, logger: logger)
}
