/// The console's API client (`/console/api.js`): calls with the Bearer token, problems as errors, authorized downloads.
enum ConsoleAPIJS {
    static let text = #"""
// The jobs API, called with the user's ID token. Errors are RFC 9457 problems; a problem's
// `field` says which input it is about, so forms can show it next to that input.
import { signOut, token } from './auth.js';

/** A refused call: `status`, and the problem document (`detail`, `field`, `row`, …). */
export class ApiProblem extends Error {
  constructor(status, problem) {
    super(problem.detail || problem.title || `The API answered ${status}.`);
    this.status = status;
    this.problem = problem;
    this.field = problem.field;
  }
}

/** `fetch` of `path` with the Bearer token; a 401 renews the token once, then signs out. */
export async function call(path, { method = 'GET', body, headers = {}, signal } = {}, retried = false) {
  const bearer = await token(retried);
  const response = await fetch(path, {
    method, body, signal, cache: 'no-store',
    headers: { ...headers, ...(bearer ? { Authorization: `Bearer ${bearer}` } : {}) },
  });
  if (response.status === 401 && bearer && !retried) return call(path, { method, body, headers, signal }, true);
  if (!response.ok) {
    let problem = {};
    try {
      problem = await response.json();
    } catch {
      problem = { detail: `The API answered ${response.status}.` };
    }
    if (response.status === 401) signOut('Your session has ended. Sign in again.');
    if (response.status === 429) {
      const wait = response.headers.get('Retry-After');
      if (wait) problem.detail = `${problem.detail || 'Too many requests.'} Try again in ${wait} s.`;
    }
    throw new ApiProblem(response.status, problem);
  }
  return response;
}

/** The decoded JSON answer of `path`. */
export async function json(path, options) {
  const response = await call(path, options);
  return response.json();
}

/** The bytes of `path` as a Blob (images, CSV, NDJSON). */
export async function blob(path, options) {
  const response = await call(path, options);
  return response.blob();
}

/** Downloads `path` as `fileName`: an authorized fetch, then a blob: link clicked. */
export async function download(path, fileName) {
  const url = URL.createObjectURL(await blob(path));
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 30_000);
}

/** The output `href` of `item` (an API path under the user's authority). */
export function outputPath(jobID, item, output) {
  return output.href || `/v1/jobs/${jobID}/items/${item.id}/outputs/${output.size}.${output.format}`;
}

/** Every item of job `jobID` with `status`, following pages up to `limit` items. */
export async function items(jobID, status, { limit = 1000, signal } = {}) {
  const found = [];
  let pageToken = null;
  do {
    const query = new URLSearchParams({ status, pageSize: String(Math.min(1000, limit - found.length)) });
    if (pageToken) query.set('pageToken', pageToken);
    const page = await json(`/v1/jobs/${jobID}/items?${query}`, { signal });
    found.push(...page.items);
    pageToken = page.nextPageToken;
  } while (pageToken && found.length < limit);
  return found;
}
"""#
}
