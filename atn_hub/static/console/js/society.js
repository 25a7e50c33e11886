// My society: its records in every state, with links to create and edit them (the editor is in record-form.js).
import { formatDate, h } from "./dom.js";
import { recordTitle } from "./record.js";

// The record kinds a society keeps: path, heading, and the name of one.
export const KINDS = [["practices", "Practices", "practice"], ["contacts", "Contacts", "contact"],
  ["training-materials", "Training materials", "training material"]];

export async function mySocietyPage({ api, me, signIn }) {
  const heading = h("h1", { tabindex: "-1" }, "My society");
  if (!me) {
    return { title: "My society", nodes: [heading, h("p", {}, "Sign in to see and edit your society's records."),
      h("button", { type: "button", onclick: signIn }, "Sign in")] };
  }
  if (!me.society) {
    return { title: "My society", nodes: [heading, h("p", {}, "Your account belongs to no society.")] };
  }
  const sections = await Promise.all(KINDS.map(async ([kind, label, singular]) => {
    const { data, pagination } = await api(kind, { query: { society: me.society, page_size: 50, sort: "-updated_at" } });
    const id = `heading-${kind}`;
    return h("section", { "aria-labelledby": id, class: "society-list" },
      h("div", { class: "section-head" }, h("h2", { id }, `${label} (${pagination?.total ?? data.length})`),
        me.scopes.includes("write") ? h("a", { class: "button", href: `/new/${kind}` }, `New ${singular}`) : null),
      data.length ? h("div", { class: "table-wrap" }, h("table", {},
        h("thead", {}, h("tr", {}, ["Title", "Status", "Updated"].map((t) => h("th", { scope: "col" }, t)))),
        h("tbody", {}, data.map((record) => h("tr", {},
          h("td", {}, h("a", { href: `/${kind}/${record.id}` }, recordTitle(record))),
          h("td", {}, h("span", { class: `badge status-${record.status}` }, record.status.replace("_", " ")),
            record.pending_revision ? ` (changes ${record.pending_revision.status.replace("_", " ")})` : ""),
          h("td", {}, formatDate(record.updated_at)))))))
        : h("p", {}, `No ${label.toLowerCase()} yet.`),
      (pagination?.total ?? 0) > data.length ? h("p", { class: "hint" }, `The ${data.length} most recently changed are shown.`) : null);
  }));
  return { title: "My society", nodes: [heading, h("p", {}, `Society ${me.society}: drafts, submissions and what is published.`), ...sections] };
}
