/// Who is calling, once their token is verified: a user signed in with Firebase, or an
/// allowed service account. Jobs belong to the caller who submitted them.
struct Caller: Sendable, Equatable {
    enum Kind: String, Sendable {
        case user, serviceAccount
    }

    /// The Firebase uid, or the service account's unique id (`sub`): the owner of their jobs.
    var uid: String
    var email: String?
    /// The custom claim `admin` is `true`: sees and acts on every job, and is not limited.
    var isAdmin: Bool
    var kind: Kind

    /// Whether the caller may see and act on a job owned by `owner` (nil: a job submitted
    /// without the API, by a bucket upload or folder drop, which only admins see).
    func mayAccess(owner: String?) -> Bool {
        isAdmin || (owner != nil && owner == uid)
    }
}
