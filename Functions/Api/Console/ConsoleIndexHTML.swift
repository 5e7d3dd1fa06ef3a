/// The console's `index.html`, served at `/`: the page shell (header, navigation, `<main>`, the status region) that `app.js` fills.
enum ConsoleIndexHTML {
    static let text = #"""
<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>PixelPipe console</title>
<link rel="icon" href="/console/icon.svg" type="image/svg+xml">
<link rel="stylesheet" href="/console/style.css">
<script type="module" src="/console/app.js"></script>
</head>
<body>
<a class="skip-link" href="#main">Skip to content</a>
<header class="top">
  <p class="brand">PixelPipe</p>
  <nav id="nav" aria-label="Console" hidden>
    <ul>
      <li><a href="#/jobs">Jobs</a></li>
      <li><a href="#/new">New job</a></li>
      <li><a href="#/upload">Single image</a></li>
    </ul>
  </nav>
  <div id="session" class="session" hidden>
    <span id="who"></span>
    <button id="sign-out" type="button" class="secondary">Sign out</button>
  </div>
</header>
<main id="main" tabindex="-1">
  <noscript><p>The PixelPipe console needs JavaScript. The jobs API (<a href="/openapi.json">/openapi.json</a>) and the <code>pixelpipe</code> command-line tool work without it.</p></noscript>
</main>
<p id="status" class="status" role="status" aria-live="polite"></p>
</body>
</html>
"""#
}
