/// The console's sign-in module (`/console/auth.js`): Firebase Auth REST from the browser, the ID token renewed before it expires.
enum ConsoleAuthJS {
    static let text = #"""
// Signing in with Firebase Authentication's REST API, called from the browser: the api
// service's /config.json says where it is (Google's Identity Toolkit and Secure Token, or the
// emulator) and which API key to send. The refresh token is kept in localStorage so a reload
// stays signed in; the ID token only in memory, renewed through Secure Token before it expires.

const storageKey = 'pixelpipe.session';
let config = null;
let idToken = null;
let expiresAt = 0;
let session = readSession();
let refreshing = null;
let refreshTimer = null;
const listeners = new Set();

function readSession() {
  try {
    const stored = JSON.parse(localStorage.getItem(storageKey) || 'null');
    return stored && typeof stored.refreshToken === 'string' ? stored : null;
  } catch {
    return null;
  }
}

/** What went wrong signing in, in words for the user; `code` is Firebase's (EMAIL_EXISTS, …). */
export class AuthError extends Error {
  constructor(code) {
    const key = String(code).split(/[ :]/)[0];
    super(messages[key] || `Signing in failed: ${code}`);
    this.code = key;
  }
}

const messages = {
  EMAIL_EXISTS: 'An account with this email address already exists. Sign in instead.',
  EMAIL_NOT_FOUND: 'No account has this email address. Create one first.',
  INVALID_PASSWORD: 'The password is wrong.',
  INVALID_LOGIN_CREDENTIALS: 'The email address or the password is wrong.',
  INVALID_EMAIL: 'That is not a valid email address.',
  MISSING_EMAIL: 'Enter your email address.',
  MISSING_PASSWORD: 'Enter your password.',
  WEAK_PASSWORD: 'The password must have at least 6 characters.',
  USER_DISABLED: 'This account has been disabled.',
  USER_NOT_FOUND: 'Your account no longer exists. Sign in again.',
  TOKEN_EXPIRED: 'Your session has ended. Sign in again.',
  INVALID_REFRESH_TOKEN: 'Your session has ended. Sign in again.',
  TOO_MANY_ATTEMPTS_TRY_LATER: 'Too many attempts. Wait a moment and try again.',
  NETWORK: 'The sign-in service cannot be reached. Check your connection and try again.',
};

/** The api service's client configuration (`GET /config.json`), fetched once. */
export async function loadConfig() {
  if (config) return config;
  const response = await fetch('/config.json', { cache: 'no-cache' });
  if (!response.ok) throw new Error(`The console cannot read its configuration (/config.json answered ${response.status}).`);
  config = await response.json();
  return config;
}

async function post(url, body) {
  let response;
  try {
    response = await fetch(url, body instanceof URLSearchParams
      ? { method: 'POST', body }
      : { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  } catch {
    throw new AuthError('NETWORK');
  }
  const json = await response.json().catch(() => ({}));
  if (!response.ok) throw new AuthError(json?.error?.message || `HTTP_${response.status}`);
  return json;
}

function keyParameter(value) {
  return `key=${encodeURIComponent(value.apiKey)}`;
}

function begin(token, refreshToken, expiresIn, uid, email) {
  idToken = token;
  expiresAt = Date.now() + Number(expiresIn || 3600) * 1000;
  session = { refreshToken, uid, email };
  localStorage.setItem(storageKey, JSON.stringify(session));
  clearTimeout(refreshTimer);
  // Renewed five minutes before it expires, so a request never carries an expired token.
  refreshTimer = setTimeout(() => {
    token(true).catch((error) => signOut(error.message));
  }, Math.max(10_000, expiresAt - Date.now() - 5 * 60_000));
  notify();
}

/** Creates an account and signs it in. */
export async function signUp(email, password) {
  const value = await loadConfig();
  const answer = await post(`${value.identityToolkitURL}/accounts:signUp?${keyParameter(value)}`, { email, password, returnSecureToken: true });
  begin(answer.idToken, answer.refreshToken, answer.expiresIn, answer.localId, answer.email || email);
}

/** Signs an existing account in. */
export async function signIn(email, password) {
  const value = await loadConfig();
  const answer = await post(`${value.identityToolkitURL}/accounts:signInWithPassword?${keyParameter(value)}`, { email, password, returnSecureToken: true });
  begin(answer.idToken, answer.refreshToken, answer.expiresIn, answer.localId, answer.email || email);
}

async function refresh() {
  if (!session) throw new AuthError('TOKEN_EXPIRED');
  const value = await loadConfig();
  const form = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: session.refreshToken });
  const answer = await post(`${value.secureTokenURL}/token?${keyParameter(value)}`, form);
  begin(answer.id_token, answer.refresh_token, answer.expires_in, answer.user_id, session.email);
}

/** A current ID token (renewed when it is about to expire, or when `force`), or null when signed out. */
export async function token(force = false) {
  if (!session) return null;
  if (!force && idToken && Date.now() < expiresAt - 60_000) return idToken;
  // Concurrent callers share one refresh.
  if (!refreshing) refreshing = refresh().finally(() => { refreshing = null; });
  await refreshing;
  return idToken;
}

/** Forgets the session; `reason` is told to the listeners (e.g. "Your session has ended"). */
export function signOut(reason) {
  clearTimeout(refreshTimer);
  idToken = null;
  expiresAt = 0;
  session = null;
  localStorage.removeItem(storageKey);
  notify(reason);
}

/** The signed-in user (`email`, `uid`), or null. */
export function currentUser() {
  return session ? { email: session.email, uid: session.uid } : null;
}

/** Calls `listener(reason)` whenever the user signs in or out. */
export function onChange(listener) {
  listeners.add(listener);
}

function notify(reason) {
  for (const listener of listeners) listener(reason);
}
"""#
}
