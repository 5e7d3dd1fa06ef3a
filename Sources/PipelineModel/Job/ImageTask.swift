/// The body of an image task (`JOB-ROW-INDEX` on queue `images-JOB`), created by populate and
/// run by process: everything process needs without reading the job document.
public struct ImageTask: Codable, Sendable, Equatable {
    public var job: String
    public var row: Int
    /// 1-based position of the URL in the row's URL cell.
    public var index: Int
    public var url: String
    public var product: String
    /// The job's recipe as JSON (`JobRecord.recipe`).
    public var recipe: String

    public init(job: String, row: Int, index: Int, url: String, product: String, recipe: String) {
        self.job = job
        self.row = row
        self.index = index
        self.url = url
        self.product = product
        self.recipe = recipe
    }
}
