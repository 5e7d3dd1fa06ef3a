import PipelineModel

/// Times consecutive steps on one thread: each `lap` ends the step that began at the last lap
/// (or at creation) and adds its time under its name, summing steps that repeat (an encode per size).
struct StepClock {
    private var last = ContinuousClock.now
    private(set) var steps: [StepTimings.Step] = []

    mutating func lap(_ name: String) {
        let now = ContinuousClock.now
        let ms = StepTimings.milliseconds(now - last)
        last = now
        if let index = steps.firstIndex(where: { $0.step == name }) {
            steps[index].ms = ((steps[index].ms + ms) * 10).rounded() / 10
        } else {
            steps.append(StepTimings.Step(step: name, ms: ms))
        }
    }
}
