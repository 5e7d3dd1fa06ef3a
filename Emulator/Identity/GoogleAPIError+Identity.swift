import GoogleCloud
import HTTPTypes

/// The errors of Identity Toolkit and Secure Token, in Google's shape with Firebase's message
/// codes (`EMAIL_EXISTS`, `WEAK_PASSWORD : Password should be at least 6 characters`): the
/// Firebase SDKs map the code before ` : ` to their own error types.
extension GoogleAPIError {
    /// 400 with `code` (and an optional detail after ` : `) as the message.
    static func identity(_ code: String, _ detail: String? = nil) -> GoogleAPIError {
        .init(.invalidArgument, status: .badRequest, detail.map { "\(code) : \($0)" } ?? code)
    }

    static let emailExists = identity("EMAIL_EXISTS")
    static let emailNotFound = identity("EMAIL_NOT_FOUND")
    static let invalidPassword = identity("INVALID_PASSWORD")
    static let invalidEmail = identity("INVALID_EMAIL")
    static let missingEmail = identity("MISSING_EMAIL")
    static let missingPassword = identity("MISSING_PASSWORD")
    static let weakPassword = identity("WEAK_PASSWORD", "Password should be at least 6 characters")
    static let invalidIDToken = identity("INVALID_ID_TOKEN")
    static let tokenExpired = identity("TOKEN_EXPIRED")
    static let userNotFound = identity("USER_NOT_FOUND")
    static let userDisabled = identity("USER_DISABLED")
    static let missingLocalID = identity("MISSING_LOCAL_ID")
    static let duplicateLocalID = identity("DUPLICATE_LOCAL_ID")
    static let invalidRefreshToken = identity("INVALID_REFRESH_TOKEN")
    static let missingRefreshToken = identity("MISSING_REFRESH_TOKEN")
    static let invalidGrantType = identity("INVALID_GRANT_TYPE")

    /// 403: an admin-only call or field without the emulator's admin credential (`Bearer owner`).
    static let insufficientPermission = GoogleAPIError(.permissionDenied, status: .forbidden, "INSUFFICIENT_PERMISSION")
}
