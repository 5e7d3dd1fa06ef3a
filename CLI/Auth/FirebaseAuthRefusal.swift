import Foundation

/// Firebase Auth's refusals (`{"error":{"message":"EMAIL_EXISTS"}}`, `WEAK_PASSWORD : Password
/// should be at least 6 characters`) as one sentence for the user. The code before ` : ` decides;
/// the detail after it is Google's own wording, kept where it says something the code does not.
public enum FirebaseAuthRefusal {
    /// The sentence for Firebase's error `message` when signing up or in as `email`.
    public static func sentence(for message: String, email: String) -> String {
        let parts = message.split(separator: ":", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
        let code = parts.first ?? message
        let detail = parts.count > 1 ? parts[1] : nil
        switch code {
        case "EMAIL_EXISTS":
            return "\(email) already has an account — sign in with `pixelpipe login --email \(email)`"
        case "INVALID_PASSWORD", "INVALID_LOGIN_CREDENTIALS":
            return "wrong email or password for \(email)"
        case "EMAIL_NOT_FOUND":
            return "no account for \(email) — create one with `pixelpipe signup --email \(email)`"
        case "WEAK_PASSWORD":
            return "the password is too weak" + (detail.map { ": \($0.prefix(1).lowercased() + $0.dropFirst())" } ?? "")
        case "USER_DISABLED":
            return "the account \(email) is disabled"
        case "INVALID_EMAIL", "MISSING_EMAIL":
            return "\(email.debugDescription) is not an email address"
        case "MISSING_PASSWORD":
            return "the password is empty"
        case "TOO_MANY_ATTEMPTS_TRY_LATER":
            return "too many attempts for \(email): try again later"
        case "OPERATION_NOT_ALLOWED", "ADMIN_ONLY_OPERATION":
            return "this project does not allow signing up or in with an email and password"
        default:
            return "the sign-in service refused: \(message)"
        }
    }
}
