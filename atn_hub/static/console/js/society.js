// My society: its records in every state, with links to create and edit them (the editor is in record-form.js).
import { formatDate, h, PATH_TYPES, statusLabel, typeLabel } from "./dom.js";
import { formatNumber, t } from "./i18n.js";
import { recordTitle } from "./record.js";

// The record kinds a society keeps: [path, heading, the name of one]. The names are read in the language
// chosen at the moment they are read (getters), so KINDS never holds a stale language.
function kind(path) {
  const entry = [path];
  Object.defineProperty(entry, 1, { enumerable: true, get: () => typeLabel(PATH_TYPES[path], { plural: true }) });
  Object.defineProperty(entry, 2, { enumerable: true, get: () => t(`types.${PATH_TYPES[path]}.one`) });
  return Object.freeze(entry);
}
export const KINDS = [kind("practices"), kind("contacts"), kind("training-materials"), kind("projects")];

export async function mySocietyPage({ api, me, signIn }) {
  const heading = h("h1", { tabindex: "-1" }, t("society.heading"));
  const title = t("society.title");
  if (!me) {
    return { title, nodes: [heading, h("p", {}, t("society.sign_in_first")),
      h("button", { type: "button", onclick: signIn }, t("common.sign_in"))] };
  }
  if (!me.society) {
    return { title, nodes: [heading, h("p", {}, t("society.none"))] };
  }
  const sections = await Promise.all(KINDS.map(async ([path]) => {
    const type = PATH_TYPES[path];
    const { data, pagination } = await api(path, { query: { society: me.society, page_size: 50, sort: "-updated_at" } });
    const id = `heading-${path}`;
    const total = pagination?.total ?? data.length;
    return h("section", { "aria-labelledby": id, class: "society-list" },
      h("div", { class: "section-head" },
        h("h2", { id }, typeLabel(type, { plural: true }), " ", h("span", { class: "count" }, `(${formatNumber(total)})`)),
        me.scopes.includes("write") ? h("a", { class: "button", href: `/new/${path}` }, t(`society.new.${type}`)) : null),
      data.length ? h("div", { class: "table-wrap" }, h("table", {},
        h("thead", {}, h("tr", {}, ["society.column.title", "society.column.status", "society.column.updated"]
          .map((key) => h("th", { scope: "col" }, t(key))))),
        h("tbody", {}, data.map((record) => h("tr", {},
          h("td", {}, h("a", { href: `/${path}/${record.id}`, lang: recordLanguage(record) }, recordTitle(record))),
          h("td", {}, h("span", { class: `badge status-${record.status}` }, statusLabel(record.status)),
            record.pending_revision ? ` ${t("society.pending", { status: statusLabel(record.pending_revision.status) })}` : ""),
          h("td", {}, formatDate(record.updated_at)))))))
        : h("p", {}, t(`society.empty.${type}`)),
      total > data.length ? h("p", { class: "hint" }, t("society.most_recent", { count: data.length })) : null);
  }));
  return { title, nodes: [heading, h("p", {}, t("society.intro", { society: me.society })), ...sections] };
}

// The language a record's title is shown in: `display` (the reader's language, when the API chose one),
// else the record's own (practices: language; the others: the first of languages).
function recordLanguage(record) {
  return record.display?.language || record.language || record.languages?.[0] || null;
}
