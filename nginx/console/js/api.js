// The API, as the console calls it: same origin, the signed-in token in the
// X-User-Token header (never in a URL), JSON both ways. An answer that is not
// a success becomes an ApiError carrying the API's own messages; a 401 also
// signs the console out (the handler app.js sets).

export const API_BASE = '/v1/admin/clinic/ecm';
const TOKEN_KEY = 'lcm-console-token';

export function getToken() {
  return sessionStorage.getItem(TOKEN_KEY);
}
export function setToken(token) {
  sessionStorage.setItem(TOKEN_KEY, token);
}
export function clearToken() {
  sessionStorage.removeItem(TOKEN_KEY);
}

export class ApiError extends Error {
  constructor(status, messages) {
    super(messages.join(' '));
    this.name = 'ApiError';
    this.status = status;
    this.messages = messages;
  }
}

let unauthorized = () => {};
/* fn(error) runs on every 401 of a request made with the stored token. */
export function onUnauthorized(fn) {
  unauthorized = fn;
}

/*
 * api(method, path, {body, headers, token}) -> {status, data, etag}
 * path is below API_BASE, its query already encoded. body (any JSON value)
 * is sent as JSON. token replaces the stored one (sign-in checks a token
 * before keeping it). Throws ApiError: the API's {"errors": [...]}, or a
 * sentence of our own when the answer has none or never came.
 */
export async function api(method, path, { body, headers = {}, token } = {}) {
  const h = { Accept: 'application/json', ...headers };
  const t = token ?? getToken();
  if (t) h['X-User-Token'] = t;
  const init = { method, headers: h, cache: 'no-store', credentials: 'omit', redirect: 'error' };
  if (body !== undefined) {
    h['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  let res, text;
  try {
    res = await fetch(API_BASE + path, init);
    text = await res.text();
  } catch (e) {
    throw new ApiError(0, [`The API could not be reached (${e.message}).`]);
  }
  let data = null;
  let parsed = false;
  if (text) {
    try {
      data = JSON.parse(text);
      parsed = true;
    } catch {
      parsed = false;
    }
  }
  if (res.ok) {
    if (text && !parsed) throw new ApiError(res.status, [`The API answered ${res.status} with a body that is not JSON.`]);
    return { status: res.status, data, etag: res.headers.get('ETag') };
  }
  const messages = data && Array.isArray(data.errors) && data.errors.length
    ? data.errors.map(String)
    : [`The API answered ${res.status}${res.statusText ? ' ' + res.statusText : ''}.`];
  const err = new ApiError(res.status, messages);
  if (res.status === 401 && token === undefined) unauthorized(err);
  throw err;
}

/*
 * A fresh Idempotency-Key: 32 hex digits from the browser's random source
 * (crypto.getRandomValues, which a page served over plain HTTP has too).
 * A write sent again with the same key and body is answered once: the
 * API replays its first answer instead of applying it twice.
 */
export function idempotencyKey() {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/*
 * download(path) -> {text, filename, type}: a GET of a file the API
 * answers (the export), as text, with the name its Content-Disposition
 * gives (null when it gives none). An error is thrown as api() throws it.
 */
export async function download(path) {
  const h = { Accept: 'text/csv, application/json' };
  const t = getToken();
  if (t) h['X-User-Token'] = t;
  let res, text;
  try {
    res = await fetch(API_BASE + path, { headers: h, cache: 'no-store', credentials: 'omit', redirect: 'error' });
    text = await res.text();
  } catch (e) {
    throw new ApiError(0, [`The download was cut short or never came (${e.message}).`]);
  }
  if (res.ok) {
    const cd = res.headers.get('Content-Disposition') || '';
    const m = /filename="([^"\\/]+)"/.exec(cd) || /filename=([^;\s"\\/]+)/.exec(cd);
    return { text, filename: m ? m[1] : null, type: res.headers.get('Content-Type') || 'application/octet-stream' };
  }
  let data = null;
  try {
    data = JSON.parse(text);
  } catch {
    data = null;
  }
  const messages = data && Array.isArray(data.errors) && data.errors.length
    ? data.errors.map(String)
    : [`The API answered ${res.status}${res.statusText ? ' ' + res.statusText : ''}.`];
  const err = new ApiError(res.status, messages);
  if (res.status === 401) unauthorized(err);
  throw err;
}

/* A query string of the defined, non-empty values of obj ("" when none). */
export function query(obj) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(obj)) {
    if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  }
  const s = q.toString();
  return s ? '?' + s : '';
}
