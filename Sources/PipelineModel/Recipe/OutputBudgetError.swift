/// A recipe that asks for more output pixels than the deployment's `OutputBudget` allows. The
/// recipe itself is valid, so this is not a `RecipeError`: `POST /process` answers 422, not 400.
public struct OutputBudgetError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The budget's environment variable, `MAX_OUTPUT_PIXELS` or `MAX_REQUEST_OUTPUT_PIXELS`.
    public let variable: String
    /// The budget, in pixels.
    public let limit: Int
    /// What the recipe asked for, in pixels.
    public let asked: Int
    /// The recipe's request in words, naming the size when one size is at fault.
    let what: String

    /// `sizes[0] ("huge") asks for 8192x8192 = 67108864 pixels per output image, over the
    /// budget MAX_OUTPUT_PIXELS=40000000`.
    public var description: String { "\(what), over the budget \(variable)=\(limit)" }
}
