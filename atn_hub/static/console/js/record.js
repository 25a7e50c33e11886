// A record page (practice, contact, training material): its fields, its files, its pending revision, the
// review discussion, and the actions the API says the caller may take now.
import { ApiError, download } from "./api.js";
import { announce, formatDate, h, PATH_TYPES, TYPE_LABELS } from "./dom.js";

export const FIELDS = {
  practices: [["summary", "Summary"], ["body", "Description"], ["kind", "Kind"], ["countries", "Countries"], ["language", "Language"],
    ["topics", "Topics"], ["target_groups", "Target groups"], ["forms_of_exploitation", "Forms of exploitation"],
    ["areas", "Areas (4P)"], ["services", "Services"], ["results", "Results"], ["evaluation", "Evaluation"],
    ["start_year", "Since"], ["end_year", "Until"], ["links", "Links"]],
  contacts: [["role", "Role"], ["country", "Country"], ["email", "Email"], ["phone", "Phone"], ["languages", "Languages"],
    ["topics", "Topics"]],
  "training-materials": [["description", "Description"], ["format", "Format"], ["languages", "Languages"], ["audience", "Audience"],
    ["duration_minutes", "Duration (minutes)"], ["external_url", "Link"], ["licence", "Licence"], ["topics", "Topics"]],
};

export function recordTitle(record) {
  return record.title || record.name || "(untitled)";
}

function value(name, v) {
  if (v === null || v === undefined || v === "" || (Array.isArray(v) && !v.length)) return null;
  if (name === "links") return h("ul", {}, v.map((link) => h("li", {}, h("a", { href: link.url, rel: "noopener noreferrer" }, link.title || link.url))));
  if (name === "external_url") return h("a", { href: v, rel: "noopener noreferrer" }, v);
  if (name === "email") return h("a", { href: `mailto:${v}` }, v);
  const words = (x) => (["kind", "areas", "services", "format"].includes(name) ? String(x).replace(/_/g, " ") : String(x));
  if (Array.isArray(v)) return v.map(words).join(", ");
  return words(v);
}

export function fieldList(kind, record) {
  return h("dl", { class: "fields" }, FIELDS[kind].map(([name, label]) => {
    const shown = value(name, record[name]);
    return shown === null ? null : [h("dt", {}, label), h("dd", { class: name === "body" || name === "description" ? "long" : null }, shown)];
  }));
}

export function discussion(comments) {
  if (!comments.length) return h("p", {}, "No review comments yet.");
  return h("ol", { class: "discussion" }, comments.map((c) => h("li", {},
    h("p", { class: "meta" }, [c.author_name || "Someone", c.decision && `decision: ${c.decision.replace("_", " ")}`,
      formatDate(c.created_at)].filter(Boolean).join(" · ")),
    h("p", {}, c.comment))));
}

export async function recordPage({ api, me, navigate, signIn }, kind, id) {
  let answer;
  try {
    answer = await api(`${kind}/${id}`);
  } catch (error) {
    if (error instanceof ApiError && error.status === 404 && !me) {
      return { title: "Not found", nodes: [h("h1", { tabindex: "-1" }, "Not found"),
        h("p", {}, "This record does not exist, or it is shared within the network only. "),
        h("button", { type: "button", onclick: signIn }, "Sign in to see it")] };
    }
    throw error;
  }
  const record = answer.data;
  const actions = record.actions || [];
  const message = h("p", { role: "status", class: "notice", id: "record-message" });
  const act = async (label, path, body) => {
    try {
      await api(`${kind}/${id}/${path}`, { method: "POST", body });
      await navigate(window.location.pathname, { replace: true });
      announce(label);
      document.getElementById("record-message")?.replaceChildren(label);
    } catch (error) {
      message.replaceChildren(error.message);
      message.className = "error";
    }
  };
  const buttons = [];
  if (actions.includes("edit")) buttons.push(h("a", { class: "button", href: `/edit/${kind}/${id}` }, record.status === "published" ? "Propose changes" : "Edit"));
  if (actions.includes("submit")) buttons.push(h("button", { type: "button", id: "submit-record", onclick: () => act("Submitted for review.", "submit") }, "Submit for review"));
  if (actions.includes("review")) buttons.push(h("a", { class: "button", href: "/moderation" }, "Review in the moderation queue"));
  if (actions.includes("archive")) buttons.push(h("button", { type: "button", class: "secondary", onclick: () => act("Archived.", "archive") }, "Archive"));
  if (actions.includes("unarchive")) buttons.push(h("button", { type: "button", class: "secondary", onclick: () => act("Published again.", "unarchive") }, "Publish again"));
  if (actions.includes("delete")) {
    buttons.push(h("button", { type: "button", class: "danger", onclick: async () => {
      if (!window.confirm(`Delete “${recordTitle(record)}”?`)) return;
      try {
        await api(`${kind}/${id}`, { method: "DELETE" });
        await navigate("/my-society");
        announce("Deleted.");
      } catch (error) {
        message.replaceChildren(error.message);
      }
    } }, "Delete"));
  }

  const sections = [fieldList(kind, record)];
  if (kind === "training-materials") sections.push(await filesSection(api, id));
  if (record.pending_revision) {
    const pending = record.pending_revision;
    sections.push(h("section", { "aria-labelledby": "pending-heading" },
      h("h2", { id: "pending-heading" }, `Pending changes (${pending.status.replace("_", " ")})`),
      diffTable(pending.changes)));
  }
  if (me && (actions.length || record.status !== "published")) {
    try {
      const comments = (await api(`${kind}/${id}/comments`)).data;
      sections.push(h("section", { "aria-labelledby": "comments-heading" }, h("h2", { id: "comments-heading" }, "Review discussion"), discussion(comments)));
    } catch {
      // not part of the discussion: nothing to show
    }
  }
  const type = PATH_TYPES[kind];
  return {
    title: recordTitle(record),
    nodes: [
      h("p", { class: "breadcrumb" }, h("a", { href: "/" }, "Search"), " › ", TYPE_LABELS[type]),
      h("h1", { tabindex: "-1" }, recordTitle(record)),
      h("p", { class: "meta" }, h("span", { class: `badge status-${record.status}`, id: "record-status" }, record.status.replace("_", " ")), " ",
        `${TYPE_LABELS[type]} of society ${record.society} · ${record.visibility} · updated ${formatDate(record.updated_at)}`),
      message,
      buttons.length ? h("div", { class: "actions" }, buttons) : null,
      ...sections,
    ],
  };
}

export function diffTable(changes) {
  if (!changes?.length) return h("p", {}, "No field changes.");
  const show = (v) => (v === null || v === undefined || v === "" ? "—" : Array.isArray(v) && v.every((x) => typeof x !== "object")
    ? v.join(", ") || "—" : typeof v === "object" ? JSON.stringify(v) : String(v));
  return h("table", { class: "diff" },
    h("caption", { class: "visually-hidden" }, "Changed fields"),
    h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Field"), h("th", { scope: "col" }, "Before"), h("th", { scope: "col" }, "After"))),
    h("tbody", {}, changes.map((change) => h("tr", {},
      h("th", { scope: "row" }, change.field), h("td", { class: "before" }, show(change.from)), h("td", { class: "after" }, show(change.to))))));
}

// A published material's file in its pending revision: what the network will see once it is approved.
const PENDING_FILE = {
  added: " (added in the pending revision: the network sees it once approved)",
  removed: " (removed in the pending revision: the network still sees it until approved)",
};

async function filesSection(api, id) {
  let files;
  try {
    files = (await api(`training-materials/${id}/files`)).data;
  } catch {
    files = [];
  }
  return h("section", { "aria-labelledby": "files-heading" }, h("h2", { id: "files-heading" }, "Files"),
    files.length ? h("ul", { class: "files" }, files.map((file) => {
      const path = `/api/v1/training-materials/${id}/files/${file.id}`;
      const name = file.filename || file.name || "file";
      return h("li", {}, h("a", { href: path, onclick: (event) => {
        event.preventDefault();
        download(path, name).catch((error) => announce(error.message));
      } }, `Download ${name}`), file.size ? ` (${Math.ceil(file.size / 1024)} KB)` : "",
      file.pending_change ? h("span", { class: "pending-file" }, PENDING_FILE[file.pending_change]) : "");
    })) : h("p", {}, "No files."));
}
