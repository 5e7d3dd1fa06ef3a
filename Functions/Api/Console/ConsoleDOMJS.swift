/// The console's DOM helpers (`/console/dom.js`): elements without HTML parsing, progress bars, the status region, polling.
enum ConsoleDOMJS {
    static let text = #"""
// Small helpers shared by the views. Elements are built with createElement and text nodes,
// never from HTML strings, so nothing the API returns (file names, URLs, reasons) is ever
// parsed as markup.

/** An element `tag` with `attributes` (`on…` functions become listeners) and `children`. */
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on') && typeof value === 'function') {
      element.addEventListener(name.slice(2), value);
    } else if (name === 'className') {
      element.className = value;
    } else {
      element.setAttribute(name, value === true ? '' : String(value));
    }
  }
  append(element, children);
  return element;
}

/** Appends `children` (nodes, strings, arrays; null and false are skipped). */
export function append(element, children) {
  for (const child of [children].flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child instanceof Node ? child : String(child));
  }
  return element;
}

/** Replaces the children of `element`. */
export function replace(element, ...children) {
  element.replaceChildren();
  return append(element, children);
}

/** Says `message` in the status region (aria-live), which screen readers read out. */
export function announce(message) {
  const region = document.getElementById('status');
  if (!region) return;
  region.textContent = '';
  // A new text node after a tick, so the same message twice is read twice.
  setTimeout(() => { region.textContent = message; }, 50);
  clearTimeout(announce.timer);
  announce.timer = setTimeout(() => { region.textContent = ''; }, 8000);
}

/** Shows `message` in the error element of `input` (found through aria-describedby), or clears it. */
export function setFieldError(input, message) {
  const error = document.getElementById(`${input.id}-error`);
  if (error) error.textContent = message || '';
  if (message) input.setAttribute('aria-invalid', 'true');
  else input.removeAttribute('aria-invalid');
}

/** A labelled progress bar (role=progressbar with its values), updated by `setProgress`. */
export function progressBar(label) {
  const fill = h('div', { className: 'fill' });
  const value = h('span', { className: 'value', 'aria-hidden': 'true' }, '0%');
  const track = h('div', {
    className: 'track', role: 'progressbar', 'aria-label': label,
    'aria-valuemin': 0, 'aria-valuemax': 100, 'aria-valuenow': 0,
  }, fill);
  const bar = h('div', { className: 'progress' }, track, value);
  bar.update = (fraction) => {
    const percent = Math.max(0, Math.min(100, Math.floor((fraction || 0) * 100)));
    track.setAttribute('aria-valuenow', percent);
    track.setAttribute('aria-valuetext', `${percent}% done`);
    // CSSOM, not a style attribute: the Content-Security-Policy allows no inline styles.
    fill.style.width = `${percent}%`;
    value.textContent = `${percent}%`;
  };
  return bar;
}

export const statusLabels = {
  queued: 'Queued',
  running: 'Running',
  finished: 'Finished',
  finished_with_errors: 'Finished with errors',
  rejected: 'Rejected',
  timed_out: 'Timed out',
  cancelled: 'Cancelled',
};

/** Whether a job in `status` will change no more. */
export function isFinal(status) {
  return status !== 'queued' && status !== 'running';
}

/** The status as a badge. */
export function statusBadge(status) {
  return h('span', { className: `badge ${status}`, 'data-status': status }, statusLabels[status] || status);
}

/** A timestamp as local date and time, in a <time> element. */
export function timeElement(iso) {
  if (!iso) return h('span', {}, '—');
  const date = new Date(iso);
  return h('time', { datetime: iso }, date.toLocaleString());
}

/** Seconds as "2 h 5 min", "3 min 20 s" or "4.2 s". */
export function formatDuration(seconds) {
  if (seconds === null || seconds === undefined || !isFinite(seconds)) return '—';
  if (seconds < 10) return `${seconds.toFixed(1)} s`;
  const whole = Math.round(seconds);
  const hours = Math.floor(whole / 3600);
  const minutes = Math.floor((whole % 3600) / 60);
  const rest = whole % 60;
  if (hours) return `${hours} h ${minutes} min`;
  if (minutes) return `${minutes} min ${rest} s`;
  return `${rest} s`;
}

/** Seconds from `from` to `to` (RFC 3339 strings; `to` defaults to now). */
export function secondsBetween(from, to) {
  if (!from) return null;
  const end = to ? Date.parse(to) : Date.now();
  return Math.max(0, (end - Date.parse(from)) / 1000);
}

/** Bytes as "12 KB" or "3.4 MB". */
export function formatBytes(bytes) {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/**
 * A refresh loop: `start()` calls `step` now and then every `interval` ms after it settles, for
 * as long as it returns true and `signal` is not aborted (the view is still shown). Starting a
 * loop that runs already does nothing.
 */
export function poller(step, interval, signal) {
  let running = false;
  const tick = async () => {
    if (signal.aborted) return;
    const again = await step().catch(() => !signal.aborted);
    if (again && !signal.aborted) setTimeout(tick, interval);
    else running = false;
  };
  return {
    start() {
      if (running) return;
      running = true;
      tick();
    },
  };
}
"""#
}
