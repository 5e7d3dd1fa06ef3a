/// The body of an image task (`JOB-ROW-INDEX` on queue `images-JOB`), created by populate and
/// run by process: everything process needs without reading the job document.
public struct ImageTask: Codable, Sendable, Equatable {
    public var job: JobID
    public var row: Int
    /// 1-based position of the URL in the row's URL cell.
    public var index: Int
    public var url: String
    public var product: String
    /// The job's recipe as JSON (`JobRecord.recipe`).
    public var recipe: String
    /// The job's counter shard this item counts on (`CounterShard.shard(ofImage:shards:)`);
    /// absent means shard 0.
    public var counter: Int?

    public init(job: JobID, row: Int, index: Int, url: String, product: String, recipe: String, counter: Int? = nil) {
        self.job = job
        self.row = row
        self.index = index
        self.url = url
        self.product = product
        self.recipe = recipe
        self.counter = counter
    }
}
