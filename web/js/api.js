// The dashboard's only way to the server: the JSON User API (spec §6.3) with the
// session cookie, plus /auth/*. POSTs carry the session's CSRF token.

let csrf = '';
let onAuthLost = () => {};
let onUnpaid = () => {};

export function setCsrf(token) { csrf = token || ''; }
export function setHandlers(handlers) {
  onAuthLost = handlers.authLost || onAuthLost;
  onUnpaid = handlers.unpaid || onUnpaid;
}

// `details`: the rest of the error body, e.g. the `conflicts` of an `exists`.
export class ApiError extends Error {
  constructor(code, message, httpStatus, details = {}) {
    super(message || code);
    this.code = code;
    this.httpStatus = httpStatus;
    this.details = details;
  }
}

// Drops empty values so optional filters are simply absent from the query.
export function query(params = {}) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined || v === null || v === '') continue;
    q.set(k, String(v));
  }
  const s = q.toString();
  return s ? '?' + s : '';
}

// `file`: a Blob sent as the raw body (uploads), with the parameters in the query string.
async function request(method, path, params, file) {
  const init = { method, credentials: 'same-origin', headers: { Accept: 'application/json' } };
  let url = path;
  if (method === 'GET') {
    url += query(params);
  } else if (file) {
    url += query(params);
    init.headers['Content-Type'] = file.type || 'application/octet-stream';
    init.headers['X-CSRF-Token'] = csrf;
    init.body = file;
  } else {
    init.headers['Content-Type'] = 'application/json';
    init.headers['X-CSRF-Token'] = csrf;
    init.body = JSON.stringify(params || {});
  }
  let response;
  try {
    response = await fetch(url, init);
  } catch (e) {
    throw new ApiError('network', 'The server did not answer. Check your connection and try again.', 0);
  }
  let body = null;
  try { body = await response.json(); } catch (e) { /* not JSON */ }
  if (!body) throw new ApiError('busy', `Unexpected answer from the server (HTTP ${response.status}).`, response.status);
  if (body.status !== 'ok') {
    const { error: code, message, ...details } = body;
    delete details.status;
    const error = new ApiError(code, message, response.status, details);
    if (body.error === 'auth' && !path.startsWith('/auth/login')) onAuthLost(error);
    if (body.error === 'unpaid') onUnpaid(error);
    throw error;
  }
  return body;
}

// GET an API method; resolves to data (lists: {data, total}).
export async function get(path, params) {
  const body = await request('GET', path, params);
  return 'total' in body ? { data: body.data, total: body.total } : body.data;
}
export async function post(path, params) {
  return (await request('POST', path, params)).data;
}
export async function postFile(path, params, file) {
  return (await request('POST', path, params, file)).data;
}

export const auth = {
  me: () => request('GET', '/auth/me').then((b) => b.data),
  login: (email, password) => request('POST', '/auth/login', { email, password }).then((b) => b.data),
  logout: () => request('POST', '/auth/logout', {}).then((b) => b.data),
};
