// Signing in as the public client atn-hub-web: authorization code + PKCE (S256), tokens kept in this tab's
// sessionStorage only, the refresh token rotated at each use, both revoked on sign-out (which also ends the
// hub's sign-in session). The console is the hub's own client: no consent page.
import { currentLanguage, t } from "./i18n.js";

export const CLIENT_ID = "atn-hub-web";
const SCOPE = "read write contacts:read moderate"; // the server grants only what the person's role allows
const TOKENS = "atn-hub.tokens";
const PENDING = "atn-hub.sign-in";

let me; // whoAmI's answer for the tokens held now (undefined: not asked yet)

function redirectUri() {
  return `${window.location.origin}/`;
}

function base64url(bytes) {
  let text = "";
  for (const byte of new Uint8Array(bytes)) text += String.fromCharCode(byte);
  return window.btoa(text).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function randomString(size) {
  return base64url(window.crypto.getRandomValues(new Uint8Array(size)));
}

function loadTokens() {
  try {
    return JSON.parse(window.sessionStorage.getItem(TOKENS) || "null");
  } catch {
    return null;
  }
}

function saveTokens(answer) {
  const tokens = {
    access_token: answer.access_token,
    refresh_token: answer.refresh_token || null,
    expires_at: Date.now() + (answer.expires_in || 3600) * 1000,
  };
  window.sessionStorage.setItem(TOKENS, JSON.stringify(tokens));
  return tokens;
}

function clearTokens() {
  window.sessionStorage.removeItem(TOKENS);
  me = undefined;
}

async function tokenRequest(params) {
  const response = await fetch("/oauth/token", {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded", Accept: "application/json" },
    body: new URLSearchParams({ ...params, client_id: CLIENT_ID }),
  });
  const body = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(body.error_description || body.error || t("auth.failed", { status: response.status }));
  return body;
}

export async function signIn(returnTo) {
  const verifier = randomString(48);
  const digest = await window.crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier));
  const state = randomString(24);
  window.sessionStorage.setItem(PENDING, JSON.stringify({ verifier, state, returnTo }));
  const query = new URLSearchParams({
    response_type: "code", client_id: CLIENT_ID, redirect_uri: redirectUri(), scope: SCOPE, state,
    code_challenge: base64url(digest), code_challenge_method: "S256",
    ui_locales: currentLanguage(), // OpenID Connect's parameter: the sign-in page speaks the console's language
  });
  window.location.assign(`/oauth/authorize?${query}`);
}

// Back from /oauth/authorize with ?code&state (or ?error): exchange the code, then return where the person was.
export async function completeSignIn() {
  const params = new URLSearchParams(window.location.search);
  if (!params.has("state") || !(params.has("code") || params.has("error"))) return null;
  const pending = JSON.parse(window.sessionStorage.getItem(PENDING) || "null");
  window.sessionStorage.removeItem(PENDING);
  const returnTo = pending?.returnTo || "/";
  if (!pending || pending.state !== params.get("state")) {
    return { returnTo, error: t("auth.state_mismatch") };
  }
  if (params.has("error")) {
    const denied = params.get("error") === "access_denied";
    return { returnTo, error: denied ? t("auth.cancelled") : params.get("error_description") || params.get("error") };
  }
  try {
    saveTokens(await tokenRequest({
      grant_type: "authorization_code", code: params.get("code"), redirect_uri: redirectUri(),
      code_verifier: pending.verifier,
    }));
  } catch (error) {
    return { returnTo, error: error.message };
  }
  return { returnTo };
}

let refreshing = null;

export function refresh() {
  const tokens = loadTokens();
  if (!tokens?.refresh_token) {
    clearTokens();
    return Promise.resolve(null);
  }
  refreshing ||= tokenRequest({ grant_type: "refresh_token", refresh_token: tokens.refresh_token })
    .then((answer) => saveTokens(answer).access_token)
    .catch(() => { clearTokens(); return null; })
    .finally(() => { refreshing = null; });
  return refreshing;
}

export async function accessToken() {
  const tokens = loadTokens();
  if (!tokens) return null;
  if (tokens.expires_at - 30_000 < Date.now()) return refresh();
  return tokens.access_token;
}

export function signedIn() {
  return loadTokens() !== null;
}

// Revokes both tokens, then ends the hub's sign-in session (its cookie), so that the next "Sign in" on this
// computer asks for the e-mail and password again instead of going on as the person before.
export async function signOut() {
  const tokens = loadTokens();
  clearTokens();
  for (const [token, hint] of [[tokens?.refresh_token, "refresh_token"], [tokens?.access_token, "access_token"]]) {
    if (!token) continue;
    await fetch("/oauth/revoke", {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ token, token_type_hint: hint, client_id: CLIENT_ID }),
    }).catch(() => {});
  }
  await fetch("/oauth/logout", { method: "POST", credentials: "same-origin" }).catch(() => {});
}

// Who the token speaks for (GET /api/v1/me), or null when nobody is signed in.
export async function whoAmI(api) {
  if (!signedIn()) return null;
  if (me === undefined) {
    try {
      me = (await api("me")).data;
    } catch {
      me = null;
    }
  }
  return me;
}

export function forgetMe() {
  me = undefined;
}
