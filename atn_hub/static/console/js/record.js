// A record page (practice, contact, training material, project): its text in the reader's language when a translation
// exists (with a switch to the original), its fields by name (countries, languages, topics), its files, its
// pending revision, the review discussion, and the actions the API says the caller may take now. Every piece
// of record text carries the `lang` of the language it is written in.
import { ApiError, download, explained, upload } from "./api.js";
import { announce, h } from "./dom.js";
import { countryName, currentLanguage, formatDate, formatNumber, languageName, t, topicLabel } from "./i18n.js";

// The translatable text of each kind (the translations contract), in the order shown.
export const TEXT_FIELDS = {
  practices: ["title", "summary", "body", "results", "evaluation"],
  contacts: ["role"],
  "training-materials": ["title", "description"],
  projects: ["title", "summary", "description"],
};

export const FIELDS = {
  practices: ["summary", "body", "kind", "countries", "language", "topics", "target_groups", "forms_of_exploitation",
    "areas", "services", "results", "evaluation", "start_year", "end_year", "links"],
  contacts: ["role", "country", "email", "phone", "languages", "topics"],
  "training-materials": ["description", "format", "languages", "audience", "duration_minutes", "external_url", "licence",
    "topics"],
  projects: ["acronym", "summary", "description", "start_date", "end_date", "countries", "language", "societies",
    "funders", "partners", "web_address", "topics"],
};

// The kinds of record that have files, all under the same API: /api/v1/{kind}/{id}/files.
export const FILE_KINDS = ["training-materials", "practices", "projects"];

// Each kind's links to other records (services/links.py), shown as lists of the linked records: field -> the kind
// it links to. `projects` is read-only (the projects that name the record).
export const LINKS = {
  practices: { contacts: "contacts", training_materials: "training-materials", projects: "projects" },
  "training-materials": { practices: "practices", projects: "projects" },
  projects: { practices: "practices", training_materials: "training-materials" },
  contacts: {},
};

const LONG = new Set(["body", "description"]);
const TOPIC_FIELDS = new Set(["topics", "target_groups", "forms_of_exploitation"]);
const ENUM_FIELDS = new Set(["kind", "areas", "services", "format"]);
// Text written by the record's author in its own language (not translated): it carries the record's `lang`.
const OWN_TEXT = new Set(["audience", "licence", "links", "acronym", "funders", "partners"]);

export function recordTitle(record) {
  return record.title || record.name || t("record.untitled");
}

// The record's own language: a practice's `language`, the first of a contact's or material's `languages`.
export function ownLanguage(kind, record) {
  return kind === "practices" || kind === "projects" ? record.language || null : (record.languages || [])[0] || null;
}

const base = (tag) => String(tag || "").toLowerCase().split(/[-_]/)[0];

// The reader's languages, in order: the console's, then the browser's.
export function readerLanguages() {
  return [...new Set([currentLanguage(), ...(navigator.languages || [navigator.language])].map(base).filter(Boolean))];
}

// The language to show a record in: the first of the reader's languages among the record's own and its
// translations; the record's own language otherwise.
export function chooseLanguage(kind, record, preferred = readerLanguages()) {
  const own = ownLanguage(kind, record);
  const available = new Set([own, ...Object.keys(record.translations || {})].filter(Boolean));
  return preferred.find((code) => available.has(code)) || own;
}

// A text field of the record in `language`, field by field falling back to the record's own text: {text, lang}.
export function textIn(kind, record, field, language) {
  const own = ownLanguage(kind, record);
  const translation = language && language !== own ? record.translations?.[language] : null;
  if (translation && translation[field]) return { text: translation[field], lang: language };
  return { text: record[field], lang: own };
}

// The topic vocabulary (GET /api/v1/topics), fetched once per page load.
let topicsLoaded = null;

export function loadTopics(api) {
  topicsLoaded ||= (async () => {
    const topics = [];
    for (let page = 1; page < 50; page += 1) {
      const answer = await api("topics", { query: { page, page_size: 100 } });
      topics.push(...answer.data);
      if (!answer.pagination?.next_page) break;
    }
    return topics;
  })().catch(() => {
    topicsLoaded = null;
    return [];
  });
  return topicsLoaded;
}

// An enumerated value's name ("good_practice" → "Good practice"), or the value itself made readable.
export function valueLabel(field, value) {
  const key = `record.value.${field}.${value}`;
  const label = t(key);
  return label === key ? String(value).replace(/_/g, " ") : label;
}

function value(name, v, topics) {
  if (v === null || v === undefined || v === "" || (Array.isArray(v) && !v.length)) return null;
  if (name === "links") return h("ul", {}, v.map((link) => h("li", {}, h("a", { href: link.url, rel: "noopener noreferrer" }, link.title || link.url))));
  if (name === "external_url" || name === "web_address") return h("a", { href: v, rel: "noopener noreferrer" }, v);
  if (name === "start_date" || name === "end_date") return formatDate(v);
  if (name === "societies") return v.map(countryName).join(", ");
  if (name === "funders") return h("ul", {}, v.map((funder) => h("li", {}, funder)));
  if (name === "partners") {
    return h("ul", { class: "partners" }, v.map((partner) => h("li", {},
      partner.url ? h("a", { href: partner.url, rel: "noopener noreferrer" }, partner.name) : partner.name,
      ` (${[valueLabel("partner_kind", partner.kind), partner.country && countryName(partner.country)].filter(Boolean).join(", ")})`)));
  }
  if (name === "email") return h("a", { href: `mailto:${v}` }, v);
  const list = [].concat(v);
  if (name === "countries" || name === "country") return list.map(countryName).join(", ");
  if (name === "language" || name === "languages") return list.map(languageName).join(", ");
  if (TOPIC_FIELDS.has(name)) return list.map((code) => topicLabel(topics.get(code)) || code).join(", ");
  if (ENUM_FIELDS.has(name) || name === "visibility") return list.map((x) => valueLabel(name, x)).join(", ");
  if (name === "duration_minutes") return formatNumber(v);
  return list.map(String).join(", ");
}

export function fieldList(kind, record, { language = ownLanguage(kind, record), topics = new Map() } = {}) {
  const own = ownLanguage(kind, record);
  return h("dl", { class: "fields" }, FIELDS[kind].map((name) => {
    const text = TEXT_FIELDS[kind].includes(name) ? textIn(kind, record, name, language) : null;
    const shown = value(name, text ? text.text : record[name], topics);
    if (shown === null) return null;
    const lang = text ? text.lang : OWN_TEXT.has(name) ? own : null;
    return [h("dt", {}, t(`record.field.${name}`)),
      h("dd", { class: LONG.has(name) ? "long" : null, lang, "data-field": name }, shown)];
  }));
}

export function discussion(comments) {
  if (!comments.length) return h("p", {}, t("record.discussion.none"));
  return h("ol", { class: "discussion" }, comments.map((c) => h("li", {},
    h("p", { class: "meta" }, [c.author_name || t("record.discussion.someone"),
      c.decision && t("record.discussion.decision", { decision: t(`record.decision.${c.decision}`) }),
      formatDate(c.created_at)].filter(Boolean).join(" · ")),
    h("p", {}, c.comment))));
}

const statusLabel = (status) => t(`record.status.${status}`);

export async function recordPage({ api, me, navigate, signIn }, kind, id) {
  let answer;
  try {
    answer = await api(`${kind}/${id}`);
  } catch (error) {
    if (error instanceof ApiError && error.status === 404 && !me) {
      return { title: t("record.not_found"), nodes: [h("h1", { tabindex: "-1" }, t("record.not_found")),
        h("p", {}, t("record.not_found_hint")),
        h("button", { type: "button", onclick: signIn }, t("record.sign_in_to_see"))] };
    }
    throw error;
  }
  const record = answer.data;
  const topics = new Map((await loadTopics(api)).map((topic) => [topic.code, topic]));
  const actions = record.actions || [];
  const message = h("p", { role: "status", class: "notice", id: "record-message" });
  const act = async (label, path, body) => {
    try {
      await api(`${kind}/${id}/${path}`, { method: "POST", body });
      await navigate(window.location.pathname, { replace: true });
      announce(label);
      document.getElementById("record-message")?.replaceChildren(label);
    } catch (error) {
      message.replaceChildren(...explained(error));
      message.className = "error";
    }
  };
  const buttons = [];
  if (actions.includes("edit")) buttons.push(h("a", { class: "button", href: `/edit/${kind}/${id}` }, t(record.status === "published" ? "record.action.propose" : "record.action.edit")));
  if (actions.includes("submit")) buttons.push(h("button", { type: "button", id: "submit-record", onclick: () => act(t("record.done.submitted"), "submit") }, t("record.action.submit")));
  if (actions.includes("review")) buttons.push(h("a", { class: "button", href: "/moderation" }, t("record.action.review")));
  if (actions.includes("archive")) buttons.push(h("button", { type: "button", class: "secondary", onclick: () => act(t("record.done.archived"), "archive") }, t("record.action.archive")));
  if (actions.includes("unarchive")) buttons.push(h("button", { type: "button", class: "secondary", onclick: () => act(t("record.done.unarchived"), "unarchive") }, t("record.action.unarchive")));
  if (actions.includes("delete")) {
    buttons.push(h("button", { type: "button", class: "danger", onclick: async () => {
      if (!window.confirm(t("record.delete_confirm", { title: recordTitle(record) }))) return;
      try {
        await api(`${kind}/${id}`, { method: "DELETE" });
        await navigate("/my-society");
        announce(t("record.done.deleted"));
      } catch (error) {
        message.replaceChildren(...explained(error));
        message.className = "error";
      }
    } }, t("record.action.delete")));
  }

  // The text in the chosen language; the switch to the original and back re-renders it in place.
  const own = ownLanguage(kind, record);
  const preferred = chooseLanguage(kind, record);
  const heading = h("h1", { tabindex: "-1" });
  const switcher = h("div", { class: "language-switch", id: "language-switch" });
  const fieldsBox = h("div", { class: "record-text" });
  const show = (language, { focus = false } = {}) => {
    const title = kind === "contacts" ? { text: recordTitle(record), lang: null } : textIn(kind, record, "title", language);
    heading.replaceChildren(title.text || recordTitle(record));
    if (title.lang) heading.setAttribute("lang", title.lang);
    else heading.removeAttribute("lang");
    fieldsBox.replaceChildren(fieldList(kind, record, { language, topics }));
    const toggle = renderSwitch(switcher, { record, own, preferred, language, onSwitch: (next) => {
      show(next, { focus: true });
      announce(t("record.language.now_shown", { language: languageName(next) }));
    } });
    if (focus) (toggle || heading).focus();
    return title;
  };
  const first = show(preferred);

  const sections = [fieldsBox, await linksSection(api, kind, record)];
  // Those who may edit the record (its Edit action) attach and remove its files.
  if (FILE_KINDS.includes(kind)) sections.push(await filesSection(api, kind, record, { editable: actions.includes("edit") }));
  if (record.pending_revision) {
    const pending = record.pending_revision;
    sections.push(h("section", { "aria-labelledby": "pending-heading" },
      h("h2", { id: "pending-heading" }, t("record.pending.heading", { status: statusLabel(pending.status) })),
      diffTable(pending.changes, { language: own })));
  }
  if (me && (actions.length || record.status !== "published")) {
    try {
      const comments = (await api(`${kind}/${id}/comments`)).data;
      sections.push(h("section", { "aria-labelledby": "comments-heading" }, h("h2", { id: "comments-heading" }, t("record.discussion.heading")), discussion(comments)));
    } catch {
      // not part of the discussion: nothing to show
    }
  }
  const typeLabel = t(`record.type.${kind}`);
  return {
    title: first.text || recordTitle(record),
    nodes: [
      h("p", { class: "breadcrumb" }, h("a", { href: "/" }, t("record.breadcrumb.search")), " › ", typeLabel),
      heading,
      h("p", { class: "meta" }, h("span", { class: `badge status-${record.status}`, id: "record-status" }, statusLabel(record.status)), " ",
        t("record.meta", { type: typeLabel, society: countryName(record.society), visibility: valueLabel("visibility", record.visibility),
          date: formatDate(record.updated_at) })),
      switcher,
      message,
      buttons.length ? h("div", { class: "actions" }, buttons) : null,
      ...sections,
    ],
  };
}

// Why a file was not added, in the reader's language (the statuses the API refuses a file with), then the
// server's own words, which name the limit or the type it found (in English, marked so).
const FILE_REFUSALS = [413, 415, 422, 507];

function refusal(error, name) {
  if (error instanceof ApiError && error.status === 0) return h("p", {}, t("record.files.error.network", { name }));
  if (error instanceof ApiError && FILE_REFUSALS.includes(error.status)) {
    return h("p", {}, explained(error, t(`record.files.error.status.${error.status}`, { name })));
  }
  const [reason, ...detail] = explained(error);
  return h("p", {}, t("record.files.error.refused", { name, detail: reason }), ...detail);
}

// The records this one links to (and, for a practice or material, the projects that name it): each list under
// its heading, each linked record by its title in the reader's language, with a contact's part in this record.
// The API shows only the links the reader may see; a record gone meanwhile is left out.
async function linksSection(api, kind, record) {
  const lists = await Promise.all(Object.entries(LINKS[kind] || {}).map(async ([field, path]) => {
    const entries = (record[field] || []).map((entry) => (typeof entry === "string" ? { id: entry, role: null } : entry));
    if (!entries.length) return null;
    const items = await Promise.all(entries.map(async (entry) => {
      try {
        const linked = (await api(`${path}/${entry.id}`)).data;
        const title = linked.display?.title || recordTitle(linked);
        const lang = linked.display?.title ? linked.display.language : ownLanguage(path, linked);
        const about = path === "contacts" ? [linked.name && linked.role ? linked.role : null, entry.role].filter(Boolean) : [];
        return h("li", {}, h("a", { href: `/${path}/${entry.id}`, lang: path === "contacts" ? null : lang }, title),
          about.length ? ` (${about.join(", ")})` : "");
      } catch (error) {
        if (error instanceof ApiError && error.status === 404) return null;
        throw error;
      }
    }));
    const shown = items.filter(Boolean);
    if (!shown.length) return null;
    const id = `links-${field}`;
    return h("section", { "aria-labelledby": id, class: "record-links" },
      h("h2", { id }, t(`record.links.${kind}.${field}`)), h("ul", {}, shown));
  }));
  return h("div", { class: "links", id: "record-links" }, lists.filter(Boolean));
}

// A language's name in itself, capitalised ("Français"), for the switch to the original.
function selfName(code) {
  try {
    const name = new Intl.DisplayNames([code], { type: "language", fallback: "code" }).of(code) || code;
    return name.charAt(0).toLocaleUpperCase(code) + name.slice(1);
  } catch {
    return code;
  }
}

// A message with an element where its {placeholder} was (the message was filled with U+0000 there).
function withNode(message, node) {
  const [before, after = ""] = message.split("\u0000");
  return [before, node, after];
}

// What language the text is in (and, for a translation, whose and when), and the switches: to the original,
// back to the reader's language, or to any other translation. Returns the main switch button, if any.
function renderSwitch(box, { record, own, preferred, language, onSwitch }) {
  const translations = record.translations || {};
  const others = Object.keys(translations).filter((code) => code !== own);
  box.hidden = !others.length;
  if (!others.length) {
    box.replaceChildren();
    return null;
  }
  const said = [];
  if (language === own) {
    said.push(t("record.language.original", { language: languageName(own) }));
  } else {
    const translation = translations[language] || {};
    said.push(t("record.language.translation", { language: languageName(language), original: languageName(own) }));
    if (translation.origin) said.push(t(`record.language.origin.${translation.origin}`));
    if (translation.updated_at) {
      said.push(translation.updated_by?.name
        ? t("record.language.updated_by", { date: formatDate(translation.updated_at), name: translation.updated_by.name })
        : t("record.language.updated", { date: formatDate(translation.updated_at) }));
    }
  }
  let main = null;
  if (language !== own) {
    main = h("button", { type: "button", class: "secondary", id: "show-original", onclick: () => onSwitch(own) },
      withNode(t("record.language.show_original", { language: "\u0000" }), h("span", { lang: own }, selfName(own))));
  } else if (preferred !== own) {
    main = h("button", { type: "button", class: "secondary", id: "show-translation", onclick: () => onSwitch(preferred) },
      t("record.language.show_translation", { language: languageName(preferred) }));
  }
  const rest = others.filter((code) => code !== language && code !== preferred);
  box.replaceChildren(...[ // (the DOM's replaceChildren writes a null as the text "null")
    h("p", { id: "shown-language", "data-language": language }, said.join(" · ")),
    main,
    rest.length ? h("p", { class: "other-languages" }, t("record.language.also"), " ",
      rest.map((code, index) => [index ? ", " : "", h("button", { type: "button", class: "link-button", "data-language": code,
        onclick: () => onSwitch(code) }, languageName(code))])) : null,
  ].filter(Boolean));
  return main;
}

// Fields of a diff written in the record's own language.
const DIFF_TEXT = new Set([...Object.values(TEXT_FIELDS).flat(), "audience", "licence"]);

// Values a diff names rather than shows as codes.
const NAMED = new Set(["countries", "country", "language", "languages", "visibility", ...ENUM_FIELDS]);

// Translations in a diff: one line per language, its fields named ("Nederlands — Titel: …"), each in its language.
function translationsDiff(value) {
  const codes = Object.keys(value || {});
  if (!codes.length) return "—";
  return codes.map((code) => h("span", { class: "diff-translation" }, `${languageName(code)} — `,
    Object.entries(value[code] || {}).filter(([field, text]) => text && typeof text === "string" && field !== "origin"
      && field !== "updated_at").map(([field, text], index) => [index ? "; " : "", `${fieldName(field)}: `,
      h("span", { lang: code }, text)]), "\n"));
}

// A revision's changes. `language`: the record's own, which its text fields carry as `lang`.
const DIFF_SIDES = [["from", "before"], ["to", "after"]]; // a change's side, and the cell's class

export function diffTable(changes, { language = null } = {}) {
  if (!changes?.length) return h("p", {}, t("record.diff.none"));
  const show = (v, field) => (field === "translations" && v && typeof v === "object" ? translationsDiff(v)
    : NAMED.has(field) && v !== null && v !== undefined && v !== "" ? value(field, v, new Map()) ?? "—"
    : v === null || v === undefined || v === "" ? "—" : Array.isArray(v) && v.every((x) => typeof x !== "object")
      ? v.join(", ") || "—" : typeof v === "object" ? JSON.stringify(v) : String(v));
  return h("table", { class: "diff" },
    h("caption", { class: "visually-hidden" }, t("record.diff.caption")),
    h("thead", {}, h("tr", {}, h("th", { scope: "col" }, t("record.diff.field")), h("th", { scope: "col" }, t("record.diff.before")), h("th", { scope: "col" }, t("record.diff.after")))),
    h("tbody", {}, changes.map((change) => h("tr", {},
      h("th", { scope: "row" }, fieldName(change.field)),
      DIFF_SIDES.map(([side, cls]) => h("td", { class: cls,
        lang: language && DIFF_TEXT.has(change.field) && change[side] ? language : null }, show(change[side], change.field)))))));
}

// A field's name for people ("Title"): the record page's label, else the editor's (a diff names every field the
// API may change, files included); its code only when the catalogue has neither.
const FIELD_LABELS = (field) => (field === "files" ? ["record.files.heading"] : [`record.field.${field}`, `editor.field.${field}`]);

export function fieldName(field) {
  for (const key of FIELD_LABELS(field)) {
    const label = t(key);
    if (label !== key) return label;
  }
  return field;
}

// A file's size: kilobytes (rounded up, so a small file is never "0 KB"), megabytes from 1 MB on.
function fileSize(bytes) {
  if (bytes >= 1024 * 1024) return t("record.files.size_mb", { size: formatNumber(bytes / (1024 * 1024), { maximumFractionDigits: 1 }) });
  return t("record.files.size", { size: formatNumber(Math.ceil(bytes / 1024)) });
}

// A record's files: each with its size, pages, and how far its text has been read; for those who may edit the
// record, a picker and a drop zone to add files (the server decides by their content, and says why when it
// refuses one, next to the picker) and a Remove button per file. No section when the kind has no files API
// here (a 404 from the list).
async function filesSection(api, kind, record, { editable }) {
  const base = `${kind}/${record.id}/files`;
  const listFiles = async () => {
    try {
      return (await api(base)).data;
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) return null;
      return [];
    }
  };
  const files = await listFiles();
  if (files === null) return null;

  const heading = h("h2", { id: "files-heading", tabindex: "-1" }, t("record.files.heading"));
  const listBox = h("div", { id: "files-list" });
  const listError = h("p", { class: "error", id: "files-list-error", role: "alert" });
  function showList(shown) {
    listBox.replaceChildren(shown.length ? h("ul", { class: "files" }, shown.map((file) => fileItem(file)))
      : h("p", {}, t("record.files.none")));
  }
  async function reload() {
    showList((await listFiles()) || []);
  }

  async function remove(file, name) {
    const published = record.status === "published" && file.pending_change !== "added";
    if (!window.confirm(published ? t("record.files.remove_confirm_published", { name }) : t("record.files.remove_confirm", { name }))) return;
    listError.replaceChildren();
    try {
      await api(`${base}/${file.id}`, { method: "DELETE" });
      await reload();
      heading.focus(); // its button is gone: back to the section, not the top of the page
      announce(t("record.files.done.removed", { name }));
    } catch (error) {
      listError.replaceChildren(...explained(error));
    }
  }

  function fileItem(file) {
    const path = `/api/v1/${base}/${file.id}`;
    const name = file.filename || file.name || "file";
    const facts = [file.size ? fileSize(file.size) : null,
      file.page_count ? t("record.files.pages", { count: file.page_count }) : null].filter(Boolean);
    return h("li", { "data-file": file.id },
      h("a", { href: path, onclick: (event) => {
        event.preventDefault();
        download(path, name).catch((error) => announce(error.message));
      } }, t("record.files.download", { name })),
      facts.length ? ` (${facts.join(", ")})` : "",
      file.pending_change ? h("span", { class: "pending-file" }, ` (${t(`record.files.pending.${file.pending_change}`)})`) : "",
      file.text_status ? h("span", { class: "file-text" }, t(`record.files.text.${file.text_status}`),
        file.text_status === "failed" && file.text_error ? ` (${file.text_error})` : "") : "",
      editable && file.pending_change !== "removed"
        ? h("button", { type: "button", class: "secondary remove-file", "aria-label": t("record.files.remove_named", { name }),
          onclick: () => remove(file, name) }, t("record.files.remove"))
        : null);
  }
  showList(files);

  return h("section", { "aria-labelledby": "files-heading", class: "files-section" }, heading, listBox, listError,
    editable ? uploader(base, record, reload) : null);
}

// The picker (a labelled <input type=file>, for the keyboard and screen readers) inside a drop zone (for the
// mouse), a progress bar per file while it is sent, and the server's refusals next to the picker, which they
// describe (aria-describedby), in its own words.
function uploader(base, record, reload) {
  const input = h("input", { type: "file", id: "file-upload", name: "file", multiple: true,
    "aria-describedby": "file-upload-hint file-upload-errors" });
  const errors = h("div", { class: "field-error", id: "file-upload-errors" });
  const progress = h("ul", { class: "uploads", id: "file-uploads" });
  const hint = h("p", { class: "hint", id: "file-upload-hint" }, t("record.files.add_hint"),
    record.status === "published" ? ` ${t("record.files.add_hint_published")}` : "");

  const send = async (chosen) => {
    if (!chosen.length) return;
    errors.replaceChildren();
    input.removeAttribute("aria-invalid");
    const bars = chosen.map((file) => {
      const bar = h("progress", { max: "100", value: "0", "aria-label": t("record.files.progress", { name: file.name }) });
      progress.append(h("li", {}, h("span", { class: "upload-name" }, file.name), bar));
      return bar;
    });
    let added = 0;
    const refused = [];
    for (const [index, file] of chosen.entries()) {
      try {
        await upload(base, file, { onProgress: (fraction) => { bars[index].value = Math.round(fraction * 100); } });
        added += 1;
      } catch (error) {
        refused.push(refusal(error, file.name));
      }
      bars[index].closest("li").remove();
    }
    if (refused.length) {
      errors.replaceChildren(...refused);
      input.setAttribute("aria-invalid", "true");
    }
    if (added) await reload();
    announce([added ? t("record.files.done.added", { count: added }) : "", ...refused].filter(Boolean).join(" "));
  };

  input.addEventListener("change", () => {
    const chosen = [...input.files];
    input.value = ""; // the same file may be chosen again (after a refusal, say)
    send(chosen);
  });
  const zone = h("div", { class: "drop-zone", id: "file-drop" },
    h("label", { for: "file-upload" }, t("record.files.add_label")), " ", input,
    h("p", { class: "drop-hint" }, t("record.files.drop")), hint, errors, progress);
  const dragging = (event) => {
    if (![...(event.dataTransfer?.types || [])].includes("Files")) return;
    event.preventDefault(); // lets the drop happen here rather than the browser opening the file
    event.dataTransfer.dropEffect = "copy";
    zone.classList.add("dragover");
  };
  zone.addEventListener("dragenter", dragging);
  zone.addEventListener("dragover", dragging);
  zone.addEventListener("dragleave", (event) => {
    if (!zone.contains(event.relatedTarget)) zone.classList.remove("dragover");
  });
  zone.addEventListener("drop", (event) => {
    event.preventDefault();
    zone.classList.remove("dragover");
    send([...(event.dataTransfer?.files || [])]);
  });
  return h("div", { class: "upload" }, h("h3", {}, t("record.files.add_heading")), zone);
}
