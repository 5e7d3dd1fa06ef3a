/// Every file of the web console by the path it is served at. The app is plain ES modules
/// loaded by the browser as they are: no build step, so no Node toolchain.
enum ConsoleAssets {
    static let javaScript = "text/javascript; charset=utf-8"

    /// `index.html`, served at `/`.
    static let index = ConsoleAsset(path: "/", contentType: "text/html; charset=utf-8", text: ConsoleIndexHTML.text)

    /// The stylesheet, the icon and the modules, served under `/console/`.
    static let files: [String: ConsoleAsset] = Dictionary(uniqueKeysWithValues: [
        ConsoleAsset(path: "/console/style.css", contentType: "text/css; charset=utf-8", text: ConsoleStyleCSS.text),
        ConsoleAsset(path: "/console/icon.svg", contentType: "image/svg+xml", text: ConsoleIconSVG.text),
        ConsoleAsset(path: "/console/app.js", contentType: javaScript, text: ConsoleAppJS.text),
        ConsoleAsset(path: "/console/api.js", contentType: javaScript, text: ConsoleAPIJS.text),
        ConsoleAsset(path: "/console/auth.js", contentType: javaScript, text: ConsoleAuthJS.text),
        ConsoleAsset(path: "/console/dom.js", contentType: javaScript, text: ConsoleDOMJS.text),
        ConsoleAsset(path: "/console/sign-in.js", contentType: javaScript, text: ConsoleSignInJS.text),
        ConsoleAsset(path: "/console/jobs.js", contentType: javaScript, text: ConsoleJobsJS.text),
        ConsoleAsset(path: "/console/new-job.js", contentType: javaScript, text: ConsoleNewJobJS.text),
        ConsoleAsset(path: "/console/job.js", contentType: javaScript, text: ConsoleJobJS.text),
        ConsoleAsset(path: "/console/upload.js", contentType: javaScript, text: ConsoleUploadJS.text),
    ].map { ($0.path, $0) })
}
