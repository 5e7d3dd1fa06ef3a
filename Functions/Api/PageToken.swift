import Foundation
import PipelineModel

/// The opaque `pageToken` of the listings: where the previous page ended (the last job's
/// `createdAt` and id, or the last item's document id), base64url of a small JSON document
/// with the kind of listing it belongs to. A token that does not decode, belongs to another
/// listing or names an impossible position is refused with 400 naming `pageToken`.
struct PageToken: Codable, Equatable, Sendable {
    /// `jobs` or `items`.
    var kind: String
    /// The status filter the listing ran with, so a token is not reused with another.
    var status: String?
    /// The last job's `createdAt` (job listings).
    var createdAt: String?
    /// The last job's id, or the last item's document id.
    var after: String

    /// The token's text.
    func encoded() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let data = (try? encoder.encode(self)) ?? Data()
        return data.base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    /// The token in `text`, checked to belong to a listing of `kind` filtered by `status`.
    init(decoding text: String, kind: String, status: String?) throws(Problem) {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        guard text.count <= 512, let data = Data(base64Encoded: base64),
              let token = try? JSONDecoder().decode(PageToken.self, from: data), token.kind == kind else {
            throw Problem.invalid("pageToken", "pageToken is not a token this listing returned; pass nextPageToken from the previous page unchanged")
        }
        guard token.status == status else {
            throw Problem.invalid("pageToken", "pageToken belongs to a listing with another status filter; keep the filter while paging")
        }
        switch kind {
        case "jobs":
            guard let createdAt = token.createdAt, Timestamp.parse(createdAt) != nil, JobID(token.after) != nil else {
                throw Problem.invalid("pageToken", "pageToken does not name a position in the job listing")
            }
        default:
            guard Self.isItemDocumentID(token.after) else {
                throw Problem.invalid("pageToken", "pageToken does not name a position in the item listing")
            }
        }
        self = token
    }

    /// A token.
    init(kind: String, status: String?, createdAt: String? = nil, after: String) {
        self.kind = kind
        self.status = status
        self.createdAt = createdAt
        self.after = after
    }

    /// `000000000012-0000003`: digits, a hyphen, digits.
    private static func isItemDocumentID(_ id: String) -> Bool {
        let parts = id.split(separator: "-", omittingEmptySubsequences: false)
        return parts.count == 2 && parts.allSatisfy { !$0.isEmpty && $0.count <= 20 && $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }
    }
}
