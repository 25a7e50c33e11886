// The console's shell: routes (the path and query are the state, so every page is a deep link), the
// account area, the language switcher, focus management after each navigation.
import { api, explained } from "./api.js";
import { completeSignIn, forgetMe, signIn, signOut, whoAmI } from "./auth.js";
import { dashboardPage } from "./dashboard.js";
import { announce, append, h } from "./dom.js";
import { inboxPage, updateInboxNav } from "./inbox.js";
import { currentLanguage, initI18n, LANGUAGES, nativeLanguageName, onLanguageChange, setLanguage, t } from "./i18n.js";
import { moderationPage } from "./moderation.js";
import { editorPage } from "./record-form.js";
import { recordPage } from "./record.js";
import { searchPage } from "./search.js";
import { mySocietyPage } from "./society.js";

const UUID = "([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})";
const KIND = "(practices|contacts|training-materials|projects)";
const ROUTES = [
  [/^\/$/, () => searchPage],
  [new RegExp(`^/${KIND}/${UUID}$`), (m) => (ctx) => recordPage(ctx, m[1], m[2])],
  [/^\/my-society$/, () => mySocietyPage],
  [new RegExp(`^/new/${KIND}$`), (m) => (ctx) => editorPage(ctx, m[1], null)],
  [new RegExp(`^/edit/${KIND}/${UUID}$`), (m) => (ctx) => editorPage(ctx, m[1], m[2])],
  [/^\/moderation$/, () => moderationPage],
  [/^\/notifications$/, () => inboxPage],
  [/^\/dashboard$/, () => dashboardPage],
];

const main = document.getElementById("main");
let renderCount = 0;
let rendered = null; // the path and query shown: a move within the page (#main) is no navigation
let shown = null; // the view on the page: { title, nodes, focus?, announce?, dirty? }

export function navigate(url, { replace = false, keepFocus = false } = {}) {
  const target = new URL(url, window.location.href);
  if (replace) window.history.replaceState(null, "", target);
  else window.history.pushState(null, "", target);
  return render({ keepFocus });
}

async function render({ keepFocus = false } = {}) {
  const count = ++renderCount;
  rendered = here();
  const path = window.location.pathname;
  const route = ROUTES.find(([pattern]) => pattern.test(path));
  const me = await whoAmI(api);
  renderAccount(me);
  updateInboxNav(api, me); // not awaited: the page never waits for the count
  const ctx = { me, api, navigate, query: new URLSearchParams(window.location.search), signIn: () => signIn(here()) };
  main.setAttribute("aria-busy", "true");
  let view;
  try {
    view = route ? await route[1](route[0].exec(path))(ctx) : notFound();
  } catch (error) {
    view = failure(error);
  }
  if (count !== renderCount) return; // a newer navigation won
  main.replaceChildren();
  append(main, [view.nodes]);
  shown = view;
  main.removeAttribute("aria-busy");
  document.title = t("shell.page_title", { page: view.title });
  for (const link of document.querySelectorAll("#nav a")) {
    const current = new URL(link.href).pathname === path;
    if (current) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
  if (!keepFocus) (view.focus || main.querySelector("h1"))?.focus(); // the first load leaves focus at the top
  if (view.announce) announce(view.announce);
}

function here() {
  return window.location.pathname + window.location.search;
}

function notFound() {
  return { title: t("shell.not_found"), nodes: [h("h1", { tabindex: "-1" }, t("shell.page_not_found")),
    h("p", {}, h("a", { href: "/" }, t("shell.search_hub")))] };
}

export function failure(error) {
  const title = error.status === 404 ? t("shell.not_found") : t("shell.went_wrong");
  const message = error.status === 404 ? t("shell.record_not_found") : explained(error);
  return { title, nodes: [h("h1", { tabindex: "-1" }, title), h("p", { class: "error", role: "alert" }, message)] };
}

function renderAccount(me) {
  const area = document.getElementById("account");
  document.getElementById("nav-moderation").hidden = !(me && me.scopes.includes("moderate"));
  if (me) {
    const who = [me.role && t(`roles.${me.role}`), me.society].filter(Boolean).join(", ");
    area.replaceChildren(
      h("span", { class: "who" }, t("account.signed_in_as", { name: me.name || me.email }), who ? ` (${who})` : ""),
      h("button", { type: "button", class: "secondary", id: "sign-out", onclick: onSignOut }, t("account.sign_out")),
      h("button", { type: "button", class: "secondary", id: "sign-out-everywhere", onclick: onSignOutEverywhere },
        t("account.sign_out_everywhere")),
    );
  } else {
    area.replaceChildren(h("button", { type: "button", id: "sign-in", onclick: () => signIn(here()) }, t("common.sign_in")));
  }
}

async function onSignOut() {
  await signOut();
  forgetMe();
  await render();
  announce(t("account.signed_out"));
}

// Ends the person's sessions in every browser and app (their grants), then this one's.
async function onSignOutEverywhere() {
  try {
    await api("me/sign-out-everywhere", { method: "POST", body: {} });
  } catch (error) {
    announce(error.message);
    return;
  }
  await signOut();
  forgetMe();
  await render();
  announce(t("account.signed_out_everywhere"));
}

document.addEventListener("click", (event) => {
  const link = event.target.closest("a[href]");
  if (!link || event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey
      || event.altKey || link.target || link.hasAttribute("download")) return;
  const url = new URL(link.href);
  if (url.origin !== window.location.origin || !ROUTES.some(([pattern]) => pattern.test(url.pathname))) return;
  if (url.hash && url.pathname === window.location.pathname && url.search === window.location.search) return; // in-page
  event.preventDefault();
  navigate(url);
});

// Back and forward between pages render again; following an in-page link (the skip link) fires popstate too,
// and must leave the page, and the focus it moved, alone.
window.addEventListener("popstate", () => { if (here() !== rendered) render(); });

// The document's own text (skip link, navigation, tagline), marked data-i18n="key" (its text) and
// data-i18n-aria-label="key" (its accessible name).
function translateDocument() {
  for (const el of document.querySelectorAll("[data-i18n]")) el.textContent = t(el.dataset.i18n);
  for (const el of document.querySelectorAll("[data-i18n-aria-label]")) el.setAttribute("aria-label", t(el.dataset.i18nAriaLabel));
}

// The language switcher, in the header of every page: each language named in itself, so that a reader
// finds theirs whatever the page speaks now. Switching re-renders the page where it is, focus staying here.
function languageSwitcher() {
  const area = document.getElementById("language");
  // A page with unsaved input (its view's dirty() says so) asks first: switching renders the page anew.
  const change = ({ target }) => {
    if (shown?.dirty?.() && !window.confirm(t("language.unsaved"))) {
      target.value = currentLanguage();
      return;
    }
    setLanguage(target.value);
  };
  const select = h("select", { id: "language-select", onchange: change },
    LANGUAGES.map((code) => h("option", { value: code, lang: code, selected: code === currentLanguage() },
      nativeLanguageName(code))));
  area.replaceChildren(h("label", { for: "language-select", "data-i18n": "language.label" }, t("language.label")), " ", select);
}

onLanguageChange(async (code) => {
  translateDocument();
  document.getElementById("language-select").value = code;
  await render({ keepFocus: true });
  announce(t("language.changed", { language: nativeLanguageName(code) }));
});

async function start() {
  await initI18n();
  translateDocument();
  languageSwitcher();
  const back = await completeSignIn();
  if (back) {
    window.history.replaceState(null, "", back.returnTo);
    await render();
    announce(back.error || t("account.signed_in"));
    if (back.error) main.prepend(h("p", { class: "error", role: "alert" }, back.error));
    return;
  }
  await render({ keepFocus: true });
}

start();
