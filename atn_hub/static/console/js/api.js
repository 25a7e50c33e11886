// The public API, as any client uses it: bearer token, JSON, ETags, X-Pagination, one error shape.
import { accessToken, refresh, signedIn } from "./auth.js";
import { h } from "./dom.js";
import { currentLanguage, t } from "./i18n.js";

// The refusals a page's actions meet, each said in the reader's language by its status (the server's detail,
// in English, names the record, the state or the rule: it follows, marked as English; see `explained`).
const REASONS = [403, 404, 409, 412, 429];

function reasonOf(status) {
  if (REASONS.includes(status)) return t(`api.refused.${status}`);
  return status >= 500 ? t("api.refused.server") : null;
}

// Errors are RFC 9457 problem details: "detail" says what went wrong; "errors" names the fields, whose
// messages the forms show next to each control (the summary then says so in the reader's language).
export class ApiError extends Error {
  constructor(status, body) {
    const reason = reasonOf(status);
    super(status === 422 && body?.errors ? t("api.fields_refused")
      : reason || body?.detail || t("api.failed", { status: `${status}${body?.title ? ` ${body.title}` : ""}` }));
    this.status = status;
    this.reason = reason; // the refusal in the reader's language, or null
    this.detail = body?.detail || null; // the server's own words (an upload's 413, 415 or 422 says why)
    this.fields = fieldMessages(body?.errors);
    this.queryError = body?.query_error || null; // a refused search's reason and values
  }
}

// A failure as a page shows it: why, in the reader's language (`said`: by default the reason its status gives),
// then the server's own words, in English and marked so (a screen reader reads them with an English voice);
// an error with nothing to say in the reader's language as its message.
export function explained(error, said = error.reason) {
  if (!(error instanceof ApiError) || !said) return [error.message];
  return error.detail ? [said, " ", h("span", { lang: "en", class: "server-detail" }, error.detail)] : [said];
}

// {"json": {"title": ["..."], "countries": {"0": ["..."]}}} -> {"title": ["..."], "countries": ["item 1: ..."]}
export function fieldMessages(errors) {
  const result = {};
  const walk = (field, value, prefix) => {
    if (Array.isArray(value)) {
      (result[field] ||= []).push(...value.map((message) => prefix + message));
    } else if (value && typeof value === "object") {
      for (const [key, inner] of Object.entries(value)) {
        const label = /^\d+$/.test(key) ? `${t("api.item", { number: Number(key) + 1 })}: ` : `${key}: `;
        walk(field, inner, prefix + label);
      }
    }
  };
  for (const location of Object.values(errors || {})) {
    for (const [field, value] of Object.entries(location || {})) walk(field, value, "");
  }
  return result;
}

function apiUrl(path, query) {
  const url = new URL(path.startsWith("/") ? path : `/api/v1/${path}`, window.location.origin);
  for (const [key, value] of Object.entries(query || {})) {
    for (const item of [].concat(value)) {
      if (item !== undefined && item !== null && item !== "") url.searchParams.append(key, item);
    }
  }
  return url;
}

// The headers every call carries; the reader's language: records answer with `display` in it, search hits and
// problem details too (the API's contract).
function apiHeaders(token, headers = {}) {
  const all = { Accept: "application/json", "Accept-Language": currentLanguage(), ...headers };
  if (token) all.Authorization = `Bearer ${token}`;
  return all;
}

// Sends with the access token held now; on a 401 (expired or revoked) once more with a fresh one, else the
// answer stands and the caller carries on signed out. `send(token)` answers anything with a `status`.
async function withToken(send) {
  let token = await accessToken();
  let response = await send(token);
  if (response.status === 401 && token) {
    token = await refresh();
    response = await send(token);
  }
  return response;
}

export async function api(path, { method = "GET", body, query, headers = {} } = {}) {
  const url = apiUrl(path, query);
  const response = await withToken((token) => fetch(url, {
    method,
    headers: apiHeaders(token, body === undefined ? headers : { ...headers, "Content-Type": "application/json" }),
    body: body === undefined ? undefined : JSON.stringify(body),
  }));
  if (!response.ok) {
    const error = await response.json().catch(() => null);
    throw new ApiError(response.status, error);
  }
  const pagination = response.headers.get("X-Pagination");
  return {
    data: response.status === 204 ? null : await response.json(),
    etag: response.headers.get("ETag"),
    pagination: pagination ? JSON.parse(pagination) : null,
    signedIn: signedIn(),
  };
}

function jsonOrNull(text) {
  try {
    return text ? JSON.parse(text) : null;
  } catch {
    return null; // not JSON (a proxy's error page): the status alone then
  }
}

// A file sent as multipart field `file`, with XMLHttpRequest because fetch reports no upload progress;
// `onProgress(fraction)` follows it (0 to 1). Answers the created resource; throws ApiError (status 0: the
// connection failed).
export async function upload(path, file, { onProgress } = {}) {
  const url = apiUrl(path);
  const send = (token) => new Promise((resolve) => {
    const request = new XMLHttpRequest();
    request.open("POST", url);
    for (const [name, value] of Object.entries(apiHeaders(token))) request.setRequestHeader(name, value);
    request.upload.addEventListener("progress", (event) => {
      if (event.lengthComputable && onProgress) onProgress(event.loaded / event.total);
    });
    request.addEventListener("load", () => resolve(request));
    request.addEventListener("error", () => resolve({ status: 0, responseText: "" }));
    request.addEventListener("abort", () => resolve({ status: 0, responseText: "" }));
    const form = new FormData();
    form.append("file", file, file.name);
    request.send(form);
  });
  const answer = await withToken(send);
  const body = jsonOrNull(answer.responseText);
  if (answer.status < 200 || answer.status >= 300) throw new ApiError(answer.status, body);
  if (onProgress) onProgress(1);
  return body;
}

// A file download that may need the bearer token: fetched, then handed to the browser as a blob.
export async function download(path, fallbackName) {
  const response = await withToken((token) => fetch(path, { headers: token ? { Authorization: `Bearer ${token}` } : {} }));
  if (!response.ok) throw new ApiError(response.status, await response.json().catch(() => null));
  const disposition = response.headers.get("Content-Disposition") || "";
  const match = /filename\*=UTF-8''([^;]+)|filename="?([^";]+)"?/i.exec(disposition);
  const name = match ? decodeURIComponent(match[1] || match[2]) : fallbackName;
  const url = URL.createObjectURL(await response.blob());
  const link = document.createElement("a");
  link.href = url;
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
  window.setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
