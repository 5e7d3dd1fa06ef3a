/// The console's stylesheet (`/console/style.css`): layout, visible focus, and colours of at least 4.5:1 contrast.
enum ConsoleStyleCSS {
    static let text = #"""
/* PixelPipe console. Colours keep text at 4.5:1 or more against its background (WCAG AA). */
:root {
  --text: #1b1f24;
  --muted: #4a5360;
  --background: #ffffff;
  --panel: #f3f5f8;
  --border: #c4cad3;
  --accent: #0b57d0;
  --accent-dark: #08409a;
  --danger: #b3261e;
  --ok: #146c2e;
  --warn: #8a5300;
  --focus: #0b57d0;
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", sans-serif;
  line-height: 1.5;
  color: var(--text);
  background: var(--background);
}
* { box-sizing: border-box; }
[hidden] { display: none !important; }
body { margin: 0; }
a { color: var(--accent); }
a:hover { color: var(--accent-dark); }
:focus-visible { outline: 3px solid var(--focus); outline-offset: 2px; }
main:focus, h2:focus { outline: none; }
h2:focus-visible { outline: 3px solid var(--focus); }

.skip-link { position: absolute; left: -9999px; top: 0.5rem; background: var(--background); padding: 0.5rem 1rem; z-index: 10; }
.skip-link:focus { left: 0.5rem; }
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }

.top { display: flex; flex-wrap: wrap; align-items: center; gap: 1rem 2rem; padding: 0.75rem 1.5rem; border-bottom: 1px solid var(--border); background: var(--panel); }
.brand { margin: 0; font-weight: 700; font-size: 1.25rem; }
.top nav ul { display: flex; gap: 1.25rem; margin: 0; padding: 0; list-style: none; }
.top nav a { text-decoration: none; font-weight: 600; padding: 0.25rem 0; }
.top nav a[aria-current="page"] { border-bottom: 3px solid var(--accent); }
.session { margin-left: auto; display: flex; align-items: center; gap: 0.75rem; color: var(--muted); }

main { max-width: 72rem; margin: 0 auto; padding: 1.5rem; }
.narrow { max-width: 28rem; }
h2 { margin-top: 0; }
h3 { margin-top: 2rem; }

.status { position: fixed; bottom: 1rem; right: 1rem; margin: 0; max-width: 28rem; padding: 0.5rem 1rem; border-radius: 0.375rem; background: var(--text); color: #ffffff; }
.status:empty { display: none; }

form .field { margin-bottom: 1.25rem; }
label, .label { display: block; font-weight: 600; margin-bottom: 0.25rem; }
input[type="email"], input[type="password"], input[type="url"], input[type="text"], select, textarea {
  width: 100%; padding: 0.5rem; font: inherit; color: var(--text); background: var(--background);
  border: 1px solid #6b7380; border-radius: 0.25rem;
}
textarea { font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: 0.875rem; min-height: 14rem; }
[aria-invalid="true"] { border-color: var(--danger); border-width: 2px; }
.hint { color: var(--muted); margin: 0.25rem 0 0; font-size: 0.925rem; }
.error { color: var(--danger); font-weight: 600; margin: 0.25rem 0 0; }
.error:empty { display: none; }

button, .button {
  display: inline-block; font: inherit; font-weight: 600; padding: 0.5rem 1rem; border-radius: 0.25rem; cursor: pointer;
  border: 2px solid var(--accent); background: var(--accent); color: #ffffff; text-decoration: none;
}
button:hover, .button:hover { background: var(--accent-dark); border-color: var(--accent-dark); color: #ffffff; }
button.secondary { background: var(--background); color: var(--accent); }
button.secondary:hover { background: var(--panel); color: var(--accent-dark); }
button.danger { background: var(--background); color: var(--danger); border-color: var(--danger); }
button.danger:hover { background: #fbeeed; }
button:disabled { opacity: 0.55; cursor: not-allowed; }
.actions { display: flex; flex-wrap: wrap; gap: 0.75rem; margin: 1rem 0; }

.dropzone { border: 2px dashed #6b7380; border-radius: 0.5rem; padding: 1.5rem; text-align: center; background: var(--panel); }
.dropzone.dragging { border-color: var(--accent); background: #e8f0fe; }
.dropzone input[type="file"] { margin: 0.5rem auto; }

table { width: 100%; border-collapse: collapse; }
th, td { text-align: left; padding: 0.5rem; border-bottom: 1px solid var(--border); vertical-align: middle; }
th { font-weight: 600; color: var(--muted); }
td.number { font-variant-numeric: tabular-nums; }

.badge { display: inline-block; padding: 0.05rem 0.5rem; border-radius: 1rem; font-size: 0.875rem; font-weight: 600; border: 1px solid currentColor; }
.badge.running, .badge.queued { color: var(--accent); }
.badge.finished { color: var(--ok); }
.badge.finished_with_errors, .badge.timed_out, .badge.cancelled { color: var(--warn); }
.badge.rejected { color: var(--danger); }

.progress { display: flex; align-items: center; gap: 0.5rem; min-width: 10rem; }
.progress .track { flex: 1; height: 0.75rem; background: #dde2e8; border-radius: 0.375rem; overflow: hidden; border: 1px solid #8a929e; }
.progress .fill { height: 100%; width: 0; background: var(--accent); transition: width 0.4s ease; }
.progress .value { font-variant-numeric: tabular-nums; min-width: 3rem; text-align: right; }

dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 0.25rem 1.5rem; margin: 0; }
dl.facts dt { font-weight: 600; color: var(--muted); }
dl.facts dd { margin: 0; font-variant-numeric: tabular-nums; }
.columns { display: grid; grid-template-columns: repeat(auto-fit, minmax(18rem, 1fr)); gap: 1.5rem; }
.panel { background: var(--panel); border: 1px solid var(--border); border-radius: 0.5rem; padding: 1rem 1.25rem; }
.panel h3 { margin-top: 0; }

details.failure-group { border: 1px solid var(--border); border-radius: 0.375rem; margin-bottom: 0.75rem; padding: 0.5rem 1rem; }
details.failure-group summary { cursor: pointer; font-weight: 600; }
.url { word-break: break-all; }

.thumbs { display: grid; grid-template-columns: repeat(auto-fill, minmax(10rem, 1fr)); gap: 1rem; list-style: none; padding: 0; }
.thumbs figure { margin: 0; border: 1px solid var(--border); border-radius: 0.375rem; padding: 0.5rem; background: var(--panel); }
.thumbs img { display: block; width: 100%; height: 8rem; object-fit: contain; background: #e4e7eb; }
.thumbs figcaption { font-size: 0.875rem; margin-top: 0.25rem; }
.thumbs figcaption span { display: block; color: var(--muted); }

.compare { display: grid; grid-template-columns: repeat(auto-fit, minmax(16rem, 1fr)); gap: 1.5rem; margin-top: 1.5rem; }
.compare figure { margin: 0; }
.compare img { display: block; max-width: 100%; max-height: 24rem; border: 1px solid var(--border); background: #e4e7eb; }
.compare .placeholder { display: flex; align-items: center; justify-content: center; min-height: 10rem; border: 1px dashed #6b7380; color: var(--muted); padding: 1rem; }
pre { background: var(--panel); border: 1px solid var(--border); padding: 0.75rem; overflow: auto; border-radius: 0.25rem; }

@media (prefers-reduced-motion: reduce) { .progress .fill { transition: none; } }
"""#
}
