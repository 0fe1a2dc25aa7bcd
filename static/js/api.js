// A small fetch wrapper for the workbench REST API: JSON in and out, the CSRF header from
// the csrftoken cookie, one error type for HTTP errors and one for the network being gone.

export class ApiError extends Error {
  constructor(status, body) {
    const detail = (body && body.detail) || `HTTP ${status}`;
    super(detail);
    this.name = "ApiError";
    this.status = status;
    this.body = body || {};
    this.detail = detail;
    this.field = (body && body.field) || null;
  }
}

// The request never reached the server or its answer never came back (offline, DNS, reset,
// timeout). Worth retrying.
export class NetworkError extends Error {
  constructor(cause) {
    super("The server cannot be reached.");
    this.name = "NetworkError";
    this.cause = cause;
  }
}

export function readCookie(name, cookieString = document.cookie) {
  for (const part of cookieString.split(";")) {
    const [key, ...rest] = part.trim().split("=");
    if (key === name) return decodeURIComponent(rest.join("="));
  }
  return null;
}

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

// fetch JSON. Resolves to {status, data} for 2xx (data null for 204); rejects with ApiError
// for 4xx/5xx and NetworkError when there is no answer.
export async function apiFetch(url, { method = "GET", body, timeout = 20000, fetchImpl } = {}) {
  const doFetch = fetchImpl || globalThis.fetch.bind(globalThis);
  const headers = { Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (!SAFE_METHODS.has(method)) {
    const token = readCookie("csrftoken");
    if (token) headers["X-CSRFToken"] = token;
  }
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeout);
  let response;
  try {
    response = await doFetch(url, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: "same-origin",
      cache: "no-store",
      signal: controller.signal,
    });
  } catch (error) {
    throw new NetworkError(error);
  } finally {
    clearTimeout(timer);
  }
  let data = null;
  if (response.status !== 204) {
    const text = await response.text().catch(() => "");
    if (text) {
      try {
        data = JSON.parse(text);
      } catch {
        data = { detail: text.slice(0, 200) };
      }
    }
  }
  if (!response.ok) {
    if (response.status === 502 || response.status === 503 || response.status === 504) {
      // A proxy answering for a server that is down or restarting: treat like offline.
      throw new NetworkError(new ApiError(response.status, data));
    }
    throw new ApiError(response.status, data);
  }
  return { status: response.status, data };
}

export function isOffline() {
  return typeof navigator !== "undefined" && navigator.onLine === false;
}
