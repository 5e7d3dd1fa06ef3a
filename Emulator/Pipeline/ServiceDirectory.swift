/// Where each running service can be reached, shared by the deliverers.
actor ServiceDirectory {
    private var urls: [String: String] = [:]

    func set(_ urls: [String: String]) {
        self.urls = urls
    }

    /// Base URL by service name.
    func all() -> [String: String] { urls }
}
