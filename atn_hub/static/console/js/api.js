// The public API, as any client uses it: bearer token, JSON, ETags, X-Pagination, one error shape.
import { accessToken, refresh, signedIn } from "./auth.js";
import { currentLanguage, t } from "./i18n.js";

// Errors are RFC 9457 problem details: "detail" says what went wrong; "errors" names the fields, whose
// messages the forms show next to each control (the summary then says so in the reader's language).
export class ApiError extends Error {
  constructor(status, body) {
    super(status === 422 && body?.errors ? t("api.fields_refused")
      : body?.detail || t("api.failed", { status: `${status}${body?.title ? ` ${body.title}` : ""}` }));
    this.status = status;
    this.fields = fieldMessages(body?.errors);
  }
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

export async function api(path, { method = "GET", body, query, headers = {} } = {}) {
  const url = new URL(path.startsWith("/") ? path : `/api/v1/${path}`, window.location.origin);
  for (const [key, value] of Object.entries(query || {})) {
    for (const item of [].concat(value)) {
      if (item !== undefined && item !== null && item !== "") url.searchParams.append(key, item);
    }
  }
  const send = async (token) => {
    // The reader's language: records answer with `display` in it, search hits too (the API's contract).
    const allHeaders = { Accept: "application/json", "Accept-Language": currentLanguage(), ...headers };
    if (token) allHeaders.Authorization = `Bearer ${token}`;
    if (body !== undefined) allHeaders["Content-Type"] = "application/json";
    return fetch(url, { method, headers: allHeaders, body: body === undefined ? undefined : JSON.stringify(body) });
  };
  let token = await accessToken();
  let response = await send(token);
  if (response.status === 401 && token) {
    token = await refresh(); // expired or revoked: one retry with a fresh token, else carry on signed out
    response = await send(token);
  }
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

// A file download that may need the bearer token: fetched, then handed to the browser as a blob.
export async function download(path, fallbackName) {
  const token = await accessToken();
  const response = await fetch(path, { headers: token ? { Authorization: `Bearer ${token}` } : {} });
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
