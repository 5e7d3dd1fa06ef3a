/// `GET /v1/me`: the signed-in user as the API sees them — whether they administer it, and
/// their per-user limits and what they use of them now.
public struct AccountResource: Decodable, Sendable, Equatable {
    public struct Limits: Decodable, Sendable, Equatable {
        public var maxActiveJobs: Int?
        public var maxImagesPerDay: Int?
    }

    public struct Usage: Decodable, Sendable, Equatable {
        public var activeJobs: Int?
        public var imagesToday: Int?
    }

    public var uid: String
    public var email: String?
    public var admin: Bool?
    public var limits: Limits?
    public var usage: Usage?
}
