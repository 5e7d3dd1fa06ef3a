/// The console's icon (`/console/icon.svg`).
enum ConsoleIconSVG {
    static let text = #"""
<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="6" fill="#0b57d0"/><path d="M7 23V9h8a5 5 0 0 1 0 10h-4v4z" fill="#fff"/><rect x="19" y="19" width="6" height="6" rx="1" fill="#9ec1ff"/></svg>
"""#
}
