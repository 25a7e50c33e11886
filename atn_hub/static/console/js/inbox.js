// The inbox: the count of unread notifications in the header, and the page /notifications (the caller's
// notifications, newest first, each a sentence naming the record and who did it; marking read; the settings of
// how often each kind is e-mailed, and in which language).
import { ApiError, explained } from "./api.js";
import { announce, h, tNodes, TYPE_PATHS } from "./dom.js";
import { formatDate, formatNumber, LANGUAGES, nativeLanguageName, t } from "./i18n.js";

const PAGE_SIZE = 20;
const KINDS = ["submission", "assignment", "decision", "comment", "review_due", "stale"];
const COORDINATORS_ONLY = new Set(["submission", "assignment"]); // a member is never told of these
const FREQUENCIES = ["immediately", "daily", "weekly", "never"];
const DECISIONS = ["approve", "request_changes", "reject"];
const WHEN = { dateStyle: "medium", timeStyle: "short" }; // several a day: the time tells them apart

let marking = Promise.resolve(); // the last "mark read" sent: the count waits for it, so it never counts stale
let counted = 0; // the newest count asked for: an older answer arriving late is dropped

function markRead(api, body) {
  marking = api("me/notifications/read", { method: "POST", body }).then((answer) => answer.data);
  return marking;
}

// The header's "Inbox (3)", named "Inbox, 3 unread"; hidden when nobody (or no person) is signed in.
export async function updateInboxNav(api, me) {
  const item = document.getElementById("nav-inbox");
  const link = document.getElementById("nav-inbox-link");
  const ask = ++counted;
  if (!me?.user_id) {
    item.hidden = true;
    return;
  }
  item.hidden = false;
  let unread;
  try {
    await marking.catch(() => null);
    unread = (await api("me/notifications", { query: { unread: true, page_size: 1 } })).pagination?.total ?? 0;
  } catch {
    unread = 0; // the inbox unreachable now: the link still leads there
  }
  if (ask !== counted) return;
  link.dataset.unread = String(unread);
  link.textContent = unread ? t("inbox.nav_count", { count: unread }) : t("inbox.nav");
  if (unread) link.setAttribute("aria-label", t("inbox.nav_unread", { count: unread }));
  else link.removeAttribute("aria-label");
}

function recordLink(api, notice) {
  const record = notice.record;
  if (!record || !(record.type in TYPE_PATHS)) return h("span", {}, t("inbox.record_gone"));
  const title = record.title || t("record.untitled");
  // Following the record from an unread notice reads it: the header's count waits for this to be recorded.
  const onclick = notice.read ? null : () => { markRead(api, { ids: [notice.id] }).catch(() => null); };
  return h("a", { href: `/${TYPE_PATHS[record.type]}/${record.id}`, lang: record.language || null, onclick }, title);
}

// What happened, as a sentence: "Marie Dubois asked for changes to “Buddy programme”."
function sentence(api, notice) {
  const name = notice.actor?.name || t("inbox.someone");
  const key = notice.kind === "decision" && DECISIONS.includes(notice.decision) ? `inbox.kind.decision.${notice.decision}`
    : KINDS.includes(notice.kind) && notice.kind !== "decision" ? `inbox.kind.${notice.kind}` : "inbox.kind.other";
  return tNodes(key, { name, record: recordLink(api, notice) });
}

function noticeItem(api, notice, reload) {
  const id = `notice-${notice.id}`;
  const button = notice.read ? null : h("button", { type: "button", class: "secondary", "aria-describedby": `${id}-text`,
    onclick: async () => {
      try {
        await markRead(api, { ids: [notice.id] });
      } catch (error) {
        announce(error.message);
        return;
      }
      await reload(t("inbox.marked_one"), id);
    } }, t("inbox.mark_read"));
  return h("li", { id, class: notice.read ? "notice-item" : "notice-item unread", tabindex: "-1" },
    notice.read ? null : h("span", { class: "badge unread-marker" }, t("inbox.unread")),
    h("p", { id: `${id}-text`, class: "notice-text" }, sentence(api, notice)),
    notice.comment ? h("blockquote", { class: "notice-comment" }, notice.comment) : null,
    h("p", { class: "meta" }, h("time", { datetime: notice.created_at }, formatDate(notice.created_at, WHEN))),
    button);
}

function settingsSection(api, settings, kinds) {
  const status = h("p", { class: "notice", id: "settings-status" });
  const error = h("p", { class: "error", id: "settings-error", role: "alert" });
  const selects = {};
  const field = (name, label, options) => {
    selects[name] = h("select", { id: `setting-${name}`, name, "aria-describedby": "settings-error" }, options);
    return h("div", { class: "field" }, h("label", { for: `setting-${name}` }, label), " ", selects[name]);
  };
  const changed = () => Object.fromEntries(Object.entries(selects)
    .filter(([name, select]) => select.value !== settings[name]).map(([name, select]) => [name, select.value]));
  const form = h("form", { class: "settings", novalidate: true, onsubmit: async (event) => {
    event.preventDefault();
    const changes = changed();
    error.textContent = "";
    for (const select of Object.values(selects)) select.removeAttribute("aria-invalid");
    if (!Object.keys(changes).length) {
      status.textContent = t("inbox.settings.unchanged");
      announce(t("inbox.settings.unchanged"));
      return;
    }
    try {
      Object.assign(settings, (await api("me/notification-settings", { method: "PATCH", body: changes })).data);
    } catch (failure) {
      if (!(failure instanceof ApiError)) throw failure;
      status.textContent = "";
      error.replaceChildren(...explained(failure), ...Object.values(failure.fields).flat().map((message) => ` ${message}`));
      for (const name of Object.keys(failure.fields)) selects[name]?.setAttribute("aria-invalid", "true");
      return;
    }
    status.textContent = t("inbox.settings.saved");
    announce(t("inbox.settings.saved"));
  } },
  kinds.map((kind) => field(kind, t(`inbox.settings.kind.${kind}`), FREQUENCIES.map((value) =>
    h("option", { value, selected: settings[kind] === value }, t(`inbox.settings.frequency.${value}`))))),
  field("language", t("inbox.settings.language"), LANGUAGES.map((code) =>
    h("option", { value: code, lang: code, selected: settings.language === code }, nativeLanguageName(code)))),
  error, h("button", { type: "submit" }, t("inbox.settings.save")), status);
  return {
    dirty: () => Object.keys(changed()).length > 0,
    node: h("section", { class: "settings-section", "aria-labelledby": "settings-heading" },
      h("h2", { id: "settings-heading" }, t("inbox.settings.heading")),
      h("p", { class: "hint" }, t("inbox.settings.intro")), form),
  };
}

function filterLinks(unreadOnly) {
  const link = (href, current, label) => h("a", { href, "aria-current": current ? "true" : null }, label);
  return h("p", { class: "filter" }, t("inbox.show"), " ",
    link("/notifications?unread=true", unreadOnly, t("inbox.filter.unread")), " · ",
    link("/notifications", !unreadOnly, t("inbox.filter.all")));
}

export async function inboxPage({ api, me, navigate, signIn, query }) {
  const heading = h("h1", { tabindex: "-1" }, t("inbox.heading"));
  if (!me) {
    return { title: t("inbox.title"), nodes: [heading, h("p", {}, t("inbox.intro")),
      h("button", { type: "button", onclick: signIn }, t("common.sign_in"))] };
  }
  const unreadOnly = query.get("unread") === "true";
  const page = Math.max(1, parseInt(query.get("page") || "1", 10) || 1);
  const [listed, unread, settings] = await Promise.all([
    api("me/notifications", { query: { page, page_size: PAGE_SIZE, unread: unreadOnly ? true : null } }),
    api("me/notifications", { query: { unread: true, page_size: 1 } }),
    api("me/notification-settings"),
  ]);
  const notices = listed.data;
  const unreadCount = unread.pagination?.total ?? 0;
  const here = window.location.pathname + window.location.search;
  // Marking read renders the page again where it is, focus on the notice marked (or the heading), and says so.
  const reload = async (message, focusId) => {
    await navigate(here, { replace: true, keepFocus: true });
    (document.getElementById(focusId) || document.querySelector("#main h1"))?.focus();
    announce(message);
  };
  const markAll = unreadCount ? h("button", { type: "button", id: "mark-all-read", onclick: async () => {
    try {
      await markRead(api, { all: true });
    } catch (error) {
      announce(error.message);
      return;
    }
    await reload(t("inbox.marked_all"));
  } }, t("inbox.mark_all_read")) : null;
  const pages = Math.max(1, listed.pagination?.total_pages || 1);
  const pageLink = (number) => `/notifications?${new URLSearchParams({ ...(unreadOnly ? { unread: "true" } : {}), page: number })}`;
  const kinds = me.scopes.includes("moderate") ? KINDS : KINDS.filter((kind) => !COORDINATORS_ONLY.has(kind));
  const { node: settingsNode, dirty } = settingsSection(api, settings.data, kinds);
  return {
    title: t("inbox.title"),
    dirty,
    nodes: [heading,
      h("p", {}, t("inbox.unread_count", { count: unreadCount })),
      h("div", { class: "actions" }, filterLinks(unreadOnly), markAll),
      notices.length ? h("ol", { class: "notices", "aria-label": t("inbox.list") },
        notices.map((notice) => noticeItem(api, notice, reload)))
        : h("p", {}, t(unreadOnly ? "inbox.empty_unread" : "inbox.empty")),
      pages > 1 ? h("nav", { class: "pager", "aria-label": t("inbox.pages") },
        page > 1 ? h("a", { href: pageLink(page - 1) }, t("common.previous")) : null,
        h("span", {}, t("common.page_of", { page: formatNumber(page), pages: formatNumber(pages) })),
        page < pages ? h("a", { href: pageLink(page + 1) }, t("common.next")) : null) : null,
      settingsNode],
  };
}
