// The editor for a society's drafts: a form whose rules (required fields, lengths, allowed values, ranges) are
// read from the API's own OpenAPI document, so the checks made before sending are the API's; whatever the API
// still refuses is shown next to the field it names. Languages, countries and topics are chosen with pickers
// (by name, never a typed code); translations sit beside the original text, each in its own language.
import { ApiError, explained } from "./api.js";
import { announce, h, PATH_TYPES } from "./dom.js";
import { countryName, formatDate, languageName, t } from "./i18n.js";
import { countryOptions, languageOptions, picker, topicOptions } from "./pickers.js";
import { LINKS, loadTopics, ownLanguage as recordLanguage, recordTitle, TEXT_FIELDS, valueLabel } from "./record.js";

// The request body's schema of each kind, in the OpenAPI document.
const SCHEMAS = { practices: "PracticeCreate", contacts: "ContactCreate", "training-materials": "TrainingMaterialCreate",
  projects: "ProjectCreate" };

// What the editor shows, in order; labels are editor.field.<name>; the constraints come from the OpenAPI schema.
const FORM = {
  practices: ["title", "summary", "body", "language", "countries", "kind", "visibility", "topics", "target_groups",
    "forms_of_exploitation", "areas", "services", "results", "evaluation", "start_year", "end_year", "contacts",
    "training_materials", "external_id"],
  contacts: ["name", "role", "country", "email", "phone", "languages", "topics", "visibility", "external_id"],
  "training-materials": ["title", "description", "format", "languages", "audience", "duration_minutes", "external_url",
    "licence", "topics", "practices", "visibility", "external_id"],
  projects: ["title", "acronym", "summary", "description", "language", "countries", "start_date", "end_date",
    "funders", "partners", "societies", "web_address", "topics", "practices", "training_materials", "visibility",
    "external_id"],
};

// Fields chosen with a picker: what they list, and whether several may be chosen. Topic fields list the topics
// of one category where the API requires it (services/practices.py).
const PICKERS = {
  language: { list: "languages" },
  languages: { list: "languages", multiple: true },
  country: { list: "countries" },
  countries: { list: "countries", multiple: true },
  societies: { list: "societies", multiple: true },
  topics: { list: "topics", multiple: true },
  target_groups: { list: "topics", multiple: true, category: "target_group" },
  forms_of_exploitation: { list: "topics", multiple: true, category: "exploitation" },
};

// Hints under a field (editor.hint.<key>), by kind and field.
const HINTS = {
  external_id: "external_id",
  name: "name",
  "training-materials.languages": "material_languages",
  "contacts.topics": "contact_topics",
};

let openapi = null;

async function openapiDocument(api) {
  openapi ||= (await api("/openapi.json")).data;
  return openapi;
}

function resolve(spec, prop) {
  const ref = prop?.$ref;
  return ref ? spec.components.schemas[ref.split("/").pop()] : prop;
}

const types = (prop) => [].concat(prop.type || "string");

const LINK_FIELDS = new Set(["contacts", "training_materials", "practices"]);

function widgetOf(prop, name) {
  if (name && PICKERS[name]) return PICKERS[name].multiple ? "list" : "text";
  if (name === "partners" || name === "funders" || LINK_FIELDS.has(name)) return "custom";
  if (prop.format === "date") return "date";
  if (types(prop).includes("array")) return prop.items?.enum ? "checkboxes" : "list";
  if (prop.enum) return "select";
  if (types(prop).includes("integer")) return "integer";
  if (prop.maxLength && prop.maxLength > 300 && !prop.format) return "textarea"; // an address stays one line
  return "text";
}

// The API's messages (marshmallow's wording, in the reader's language), so a person reads the same thing before
// and after sending.
export function check(prop, required, raw, name) {
  const widget = widgetOf(prop, name);
  const empty = raw === "" || raw === null || (Array.isArray(raw) && !raw.length);
  if (empty) {
    if (required) return [t("editor.error.required")];
    return [];
  }
  const messages = [];
  const length = (count, min, max) => {
    if ((min !== undefined && count < min) || (max !== undefined && count > max)) {
      if (min !== undefined && max !== undefined) messages.push(t("editor.error.length_between", { min, max }));
      else if (max !== undefined) messages.push(t("editor.error.too_long", { max }));
      else messages.push(t("editor.error.too_short", { min }));
    }
  };
  if (widget === "integer") {
    const n = Number(raw);
    if (!Number.isInteger(n)) messages.push(t("editor.error.integer"));
    else if ((prop.minimum !== undefined && n < prop.minimum) || (prop.maximum !== undefined && n > prop.maximum)) {
      messages.push(t("editor.error.range", { min: prop.minimum, max: prop.maximum }));
    }
  } else if (Array.isArray(raw)) {
    length(raw.length, prop.minItems, prop.maxItems);
    if (new Set(raw).size !== raw.length) messages.push(t("editor.error.unique"));
  } else {
    length(raw.length, prop.minLength, prop.maxLength);
    if (prop.enum && !prop.enum.includes(raw)) messages.push(t("editor.error.one_of", { values: prop.enum.map((v) => valueLabel(name, v)).join(", ") }));
    if (prop.format === "email" && !/^[^@\s]+@[^@\s]+$/.test(raw)) messages.push(t("editor.error.email"));
    if (prop.format === "url" && !/^https?:\/\/\S+$/.test(raw)) messages.push(t("editor.error.url"));
  }
  return messages;
}

function requiredMark(required) {
  return required ? h("span", { class: "required" }, ` ${t("editor.required_mark")}`) : null;
}

// The links of a record to records of one kind (services/links.py), chosen by search: the chosen ones listed by
// title (a contact with its part in this record), each with a Remove button; a search field and its results,
// each with an Add button. Contacts are the society's own (the API refuses others').
function linkEditor({ id, label, path, value, api, society, describedBy }) {
  const withRole = path === "contacts";
  const chosen = (value || []).map((entry) => (typeof entry === "string" ? { id: entry, role: null } : { ...entry }));
  const titles = new Map();
  const list = h("ul", { class: "link-list", id: `${id}-chosen`, "aria-label": t("editor.links.chosen", { label }) });
  const status = h("p", { class: "hint", role: "status", id: `${id}-status` });
  const results = h("ul", { class: "link-results", id: `${id}-results` });
  const query = h("input", { id, type: "search", autocomplete: "off",
    "aria-describedby": [...describedBy, `${id}-status`].join(" ") });
  const say = (message) => { status.textContent = message; announce(message); };
  const titleOf = (entry) => titles.get(entry.id) || t("editor.links.loading");
  const render = () => {
    list.replaceChildren(...chosen.map((entry, index) => h("li", { class: "link-item", "data-id": entry.id },
      h("span", { class: "link-title" }, titleOf(entry)),
      withRole ? h("span", { class: "link-role" },
        h("label", { for: `${id}-role-${index}` }, t("editor.links.role", { title: titleOf(entry) })),
        h("input", { id: `${id}-role-${index}`, type: "text", maxlength: 200, value: entry.role ?? "",
          oninput: (event) => { entry.role = event.target.value.trim() || null; } })) : null,
      h("button", { type: "button", class: "secondary", onclick: () => {
        chosen.splice(index, 1);
        render();
        say(t("editor.links.removed", { title: titleOf(entry) }));
        query.focus();
      } }, t("editor.links.remove", { title: titleOf(entry) })))));
    if (!chosen.length) list.replaceChildren(h("li", { class: "hint" }, t("editor.links.none")));
  };
  // The titles of the records already linked (one that the caller can no longer read keeps its id).
  Promise.all(chosen.map(async (entry) => {
    try {
      titles.set(entry.id, recordTitle((await api(`${path}/${entry.id}`)).data));
    } catch {
      titles.set(entry.id, entry.id);
    }
  })).then(render);
  const search = async () => {
    const q = query.value.trim();
    if (!q) {
      say(t("editor.links.type_first"));
      return;
    }
    const filters = withRole && society ? { society } : {};
    const found = (await api("search", { query: { q, type: PATH_TYPES[path], page_size: 10, ...filters } })).data;
    const hits = found.hits.filter((hit) => !chosen.some((entry) => entry.id === hit.id));
    results.replaceChildren(...hits.map((hit) => h("li", {}, h("button", { type: "button", class: "secondary",
      onclick: () => {
        chosen.push({ id: hit.id, role: null });
        titles.set(hit.id, hit.title);
        results.replaceChildren();
        render();
        say(t("editor.links.added", { title: hit.title }));
        query.focus();
      } }, t("editor.links.add", { title: hit.title })), " ",
      h("span", { class: "hint" }, [countryName(hit.society), hit.status && hit.status !== "published"
        ? valueLabel("status", hit.status) : null].filter(Boolean).join(" · ")))));
    say(hits.length ? t("editor.links.found", { count: hits.length }) : t("editor.links.none_found"));
  };
  query.addEventListener("keydown", (event) => {
    if (event.key === "Enter") {
      event.preventDefault();
      search();
    }
  });
  render();
  const element = h("fieldset", { class: "field links-editor", id: `${id}-group` }, h("legend", {}, label),
    list,
    h("div", { class: "field" }, h("label", { for: id }, t(`editor.links.find.${path}`)),
      h("div", { class: "search-row" }, query, h("button", { type: "button", class: "secondary", onclick: search },
        t("editor.links.search")))),
    status, results);
  return {
    element,
    get value() {
      return withRole ? chosen.map((entry) => ({ id: entry.id, role: entry.role || null })) : chosen.map((entry) => entry.id);
    },
  };
}

// A project's partner organisations: one group of fields each (name, kind, country, web address), added and
// removed with buttons.
const PARTNER_KINDS = ["red_cross_society", "government_agency", "ngo", "international_organisation", "other"];

function partnersEditor({ id, label, value }) {
  const rows = (value || []).map((partner) => ({ ...partner }));
  const list = h("div", { class: "partners-list" });
  const render = () => {
    list.replaceChildren(...rows.map((row, index) => {
      const prefix = `${id}-${index}`;
      const bind = (field) => (event) => { row[field] = event.target.value.trim() || null; };
      return h("fieldset", { class: "partner", id: prefix },
        h("legend", {}, t("editor.partners.legend", { number: index + 1 })),
        h("div", { class: "field" }, h("label", { for: `${prefix}-name` }, t("editor.partners.name")),
          h("input", { id: `${prefix}-name`, type: "text", maxlength: 300, value: row.name ?? "", oninput: bind("name") })),
        h("div", { class: "field" }, h("label", { for: `${prefix}-kind` }, t("editor.partners.kind")),
          h("select", { id: `${prefix}-kind`, onchange: bind("kind") }, PARTNER_KINDS.map((kind) =>
            h("option", { value: kind, selected: (row.kind || "other") === kind }, valueLabel("partner_kind", kind))))),
        h("div", { class: "field" }, h("label", { for: `${prefix}-country` }, t("editor.partners.country")),
          h("select", { id: `${prefix}-country`, onchange: bind("country") }, h("option", { value: "" }, "—"),
            countryOptions().map((option) => h("option", { value: option.value, selected: row.country === option.value },
              option.label)))),
        h("div", { class: "field" }, h("label", { for: `${prefix}-url` }, t("editor.partners.url")),
          h("input", { id: `${prefix}-url`, type: "url", value: row.url ?? "", oninput: bind("url") })),
        h("button", { type: "button", class: "danger", onclick: () => {
          rows.splice(index, 1);
          render();
          announce(t("editor.partners.removed"));
        } }, t("editor.partners.remove", { name: row.name || index + 1 })));
    }));
  };
  render();
  const element = h("fieldset", { class: "field", id: `${id}-group` }, h("legend", {}, label), list,
    h("button", { type: "button", class: "secondary", id, onclick: () => {
      rows.push({ name: null, kind: "other", country: null, url: null });
      render();
      list.querySelector(`#${id}-${rows.length - 1}-name`)?.focus();
    } }, t("editor.partners.add")));
  return { element, get value() { return rows.map((row) => ({ kind: "other", country: null, url: null, ...row })); } };
}

// A list of names that may hold commas (funders: "European Union, AMIF"): one per line.
function linesEditor({ id, label, value, describedBy }) {
  const area = h("textarea", { id, rows: 3, "aria-describedby": describedBy.join(" "), value: (value || []).join("\n") });
  return { element: h("div", { class: "field" }, h("label", { for: id }, label), area,
    h("p", { class: "hint" }, t("editor.hint.one_per_line"))),
  get value() { return area.value.split("\n").map((line) => line.trim()).filter(Boolean); } };
}

function fieldWidget(kind, name, prop, required, value, lists, pickers, context = {}) {
  const id = `field-${name}`;
  const label = t(`editor.field.${name}`);
  const hintKey = HINTS[`${kind}.${name}`] || HINTS[name];
  const describedBy = [`${id}-error`];
  if (hintKey) describedBy.push(`${id}-hint`);
  const hint = hintKey ? h("p", { class: "hint", id: `${id}-hint` }, t(`editor.hint.${hintKey}`)) : null;
  const error = h("p", { class: "field-error", id: `${id}-error` });
  const common = { id, name, "aria-describedby": describedBy.join(" "), required: required || null };
  const widget = widgetOf(prop, name);
  if (widget === "custom") {
    const control = LINK_FIELDS.has(name)
      ? linkEditor({ id, label, path: LINKS[kind][name], value, api: context.api, society: context.society, describedBy })
      : name === "partners" ? partnersEditor({ id, label, value }) : linesEditor({ id, label, value, describedBy });
    pickers[name] = control;
    return h("div", { class: "field" }, control.element, error);
  }
  if (PICKERS[name]) {
    const spec = PICKERS[name];
    const control = picker({ id, label, options: lists[spec.list](spec.category), multiple: Boolean(spec.multiple),
      value: value ?? (spec.multiple ? [] : ""), required, describedBy });
    pickers[name] = control;
    control.input.name = name;
    return h("div", { class: "field" }, h("label", { for: id }, label, requiredMark(required)), hint, control.element, error);
  }
  let control;
  if (widget === "textarea") control = h("textarea", { ...common, rows: name === "body" || name === "description" ? 8 : 3, value: value ?? "" });
  else if (widget === "select") {
    control = h("select", common, required ? null : h("option", { value: "" }, "—"),
      prop.enum.map((option) => h("option", { value: option, selected: (value ?? prop.default) === option }, valueLabel(name, option))));
  } else if (widget === "checkboxes") {
    const chosen = new Set(value || []);
    return h("fieldset", { class: "field", id, "aria-describedby": `${id}-error` }, h("legend", {}, label),
      h("div", { class: "checkboxes" }, prop.items.enum.map((option) => h("label", { class: "check" },
        h("input", { type: "checkbox", name, value: option, checked: chosen.has(option) }), " ", valueLabel(name, option)))),
      error);
  } else if (widget === "list") control = h("input", { ...common, type: "text", value: (value || []).join(", ") });
  else if (widget === "integer") control = h("input", { ...common, type: "number", inputmode: "numeric", value: value ?? "" });
  else if (widget === "date") control = h("input", { ...common, type: "date", value: value ?? "" });
  else control = h("input", { ...common, type: prop.format === "email" ? "email" : prop.format === "url" ? "url" : "text", value: value ?? "" });
  return h("div", { class: "field" }, h("label", { for: id }, label, requiredMark(required)), control, hint, error);
}

function readField(form, name, prop, pickers) {
  if (pickers[name]) return pickers[name].value;
  const widget = widgetOf(prop, name);
  if (widget === "checkboxes") return [...form.querySelectorAll(`input[name="${name}"]:checked`)].map((box) => box.value);
  const raw = form.elements[name].value.trim();
  if (widget === "list") return raw ? raw.split(",").map((part) => part.trim()).filter(Boolean) : [];
  return raw;
}

function toApi(prop, raw, name) {
  const widget = widgetOf(prop, name);
  if (widget === "integer") return raw === "" ? null : Number(raw);
  if (raw === "" && types(prop).includes("null")) return null;
  return raw;
}

// An error's place in the form: "translations.fr.title" is the field translations-fr-title.
const errorKey = (name) => name.replace(/\./g, "-");

// The API's messages about translations ("fr: value: title: Missing data…" once flattened by api.js) go next to
// the translation's field they name; the rest next to the translations.
function placeTranslationErrors(fields) {
  const placed = {};
  for (const [name, messages] of Object.entries(fields)) {
    if (name !== "translations") {
      placed[errorKey(name)] = messages;
      continue;
    }
    for (const message of messages) {
      const match = /^([a-z]{2}): (?:value: )?([a-z_]+): (.*)$/.exec(message);
      const key = match && match[2] !== "key" ? `translations-${match[1]}-${match[2]}` : "translations";
      (placed[key] ||= []).push(match ? (match[2] === "key" ? `${match[1]}: ${match[3]}` : match[3]) : message);
    }
  }
  return placed;
}

function showErrors(form, errors) {
  for (const box of form.querySelectorAll(".field-error")) box.textContent = "";
  for (const control of form.querySelectorAll("[aria-invalid]")) control.removeAttribute("aria-invalid");
  let first = null;
  for (const [name, messages] of Object.entries(errors)) {
    const box = form.querySelector(`#field-${name}-error`);
    if (!box) continue;
    box.textContent = messages.join(" ");
    const control = form.querySelector(`#field-${name}`);
    if (!control) continue;
    control.setAttribute("aria-invalid", "true");
    first ||= control.matches("fieldset") ? control.querySelector("input, textarea, button") : control;
  }
  return first;
}

// The translations part of the form: one block per language, each field of the original (read-only, in its
// language) beside its translation (editable, in the translation's); a picker to add one; a button to remove.
function translationsEditor({ kind, schema, record, ownLanguage, lists }) {
  const fields = TEXT_FIELDS[kind].filter((name) => schema.properties[name]);
  const required = new Set(schema.required || []);
  const sendsOrigin = Boolean(schema.properties.origin);
  const saved = record.translations || {};
  const state = {};
  for (const [code, translation] of Object.entries(saved)) state[code] = { ...translation };
  const originals = {}; // field -> the original's text, as typed in the form above

  const list = h("div", { class: "translation-list" });
  const error = h("p", { class: "field-error", id: "field-translations-error", role: "alert" });
  const addButton = h("button", { type: "button", class: "secondary", id: "add-translation" }, t("editor.translations.add"));
  const addPicker = picker({ id: "field-translations-add", label: t("editor.translations.add_language"), options: [],
    describedBy: ["field-translations-error"] });
  const addBox = h("div", { class: "add-translation" },
    h("div", { class: "field" }, h("label", { for: "field-translations-add" }, t("editor.translations.add_language")), addPicker.element),
    h("div", { class: "field" }, addButton));

  const refreshChoices = () => {
    const own = ownLanguage();
    addPicker.setOptions(lists.languages().filter((option) => option.value !== own && !state[option.value]));
    if (addPicker.value && (addPicker.value === own || state[addPicker.value])) addPicker.value = "";
  };

  const originalBlock = (code, field) => {
    const own = ownLanguage();
    return h("div", { class: "original-column" },
      h("p", { class: "column-label", id: `tr-${code}-${field}-original-label` },
        t("editor.translations.original_of", { field: t(`editor.field.${field}`), language: own ? languageName(own) : "—" })),
      h("div", { class: "original", lang: own || null, "data-original": field  }, originals[field] ?? record[field] ?? ""));
  };

  const render = () => {
    list.replaceChildren(...Object.keys(state).map((code) => {
      const translation = state[code];
      const name = languageName(code);
      const about = [t(`editor.translations.origin.${translation.origin || "author"}`)];
      if (translation.updated_at) {
        about.push(translation.updated_by?.name
          ? t("editor.translations.updated_by", { date: formatDate(translation.updated_at), name: translation.updated_by.name })
          : t("editor.translations.updated", { date: formatDate(translation.updated_at) }));
      }
      return h("fieldset", { class: "translation", id: `translation-${code}`, "data-language": code },
        h("legend", {}, t("editor.translations.legend", { language: name })),
        h("div", { class: "translation-head" }, h("p", { class: "hint" }, about.join(" · ")),
          h("button", { type: "button", class: "danger", onclick: () => {
            delete state[code];
            render();
            refreshChoices();
            addPicker.input.focus();
            announce(t("editor.translations.removed", { language: name }));
          } }, t("editor.translations.remove", { language: name }))),
        fields.map((field) => {
          const id = `field-translations-${code}-${field}`;
          const long = field !== "title" && field !== "role";
          const attrs = { id, lang: code, "data-field": field, "aria-describedby": `${id}-error`,
            required: required.has(field) || null, value: translation[field] ?? "",
            oninput: (event) => { translation[field] = event.target.value; } };
          return h("div", { class: "side-by-side" }, originalBlock(code, field),
            h("div", { class: "field" },
              h("label", { for: id }, t("editor.translations.field", { field: t(`editor.field.${field}`), language: name }),
                requiredMark(required.has(field))),
              long ? h("textarea", { ...attrs, rows: field === "body" ? 8 : 3 }) : h("input", { ...attrs, type: "text" }),
              h("p", { class: "field-error", id: `${id}-error` })));
        }));
    }));
    if (!Object.keys(state).length) list.replaceChildren(h("p", { class: "hint" }, t("editor.translations.none")));
  };

  addButton.addEventListener("click", () => {
    const code = addPicker.value;
    if (!code) {
      error.textContent = t("editor.translations.choose_first");
      addPicker.input.setAttribute("aria-invalid", "true");
      addPicker.input.focus();
      return;
    }
    error.textContent = "";
    addPicker.input.removeAttribute("aria-invalid");
    state[code] = { origin: "author" };
    addPicker.value = "";
    render();
    refreshChoices();
    list.querySelector(`#translation-${code} input, #translation-${code} textarea`)?.focus();
    announce(t("editor.translations.added", { language: languageName(code) }));
  });

  refreshChoices();
  render();

  const section = h("section", { class: "translations", "aria-labelledby": "translations-heading" },
    h("h2", { id: "translations-heading" }, t("editor.translations.heading")),
    h("p", { class: "hint" }, t("editor.translations.intro")),
    error, list, addBox);

  return {
    section,
    // The original's field changed above: the text shown beside each translation follows.
    original(field, text) {
      if (!fields.includes(field)) return;
      originals[field] = text;
      for (const node of list.querySelectorAll(`[data-original="${field}"]`)) node.textContent = text;
    },
    ownLanguageChanged() {
      render();
      refreshChoices();
    },
    // {value, errors}: the translations as the API takes them, and what is wrong before sending.
    read() {
      const value = {};
      const errors = {};
      const own = ownLanguage();
      if (own && state[own]) errors.translations = [t("editor.translations.own_language", { language: languageName(own) })];
      for (const [code, translation] of Object.entries(state)) {
        const entry = {};
        let changed = !saved[code];
        for (const field of fields) {
          const text = String(translation[field] ?? "").trim();
          const problems = check(schema.properties[field], required.has(field), text, field);
          if (problems.length) errors[`translations-${code}-${field}`] = problems;
          if (text) entry[field] = text;
          if (text !== String(saved[code]?.[field] ?? "").trim()) changed = true;
        }
        if (sendsOrigin) entry.origin = changed ? "author" : saved[code]?.origin || "author";
        value[code] = entry;
      }
      return { value, errors };
    },
    // Whether the translations differ from those saved (a PATCH sends them only then).
    differs(value) {
      const strip = (all) => JSON.stringify(Object.keys(all).sort().map((code) => [code,
        fields.map((field) => String(all[code][field] ?? "").trim())]));
      return strip(value) !== strip(saved);
    },
  };
}

export async function editorPage({ api, me, navigate, signIn }, kind, id) {
  const title = t(id ? `editor.title.edit.${kind}` : `editor.title.new.${kind}`);
  if (!me) {
    return { title, nodes: [h("h1", { tabindex: "-1" }, title), h("p", {}, t("editor.sign_in_to_edit")),
      h("button", { type: "button", onclick: signIn }, t("editor.sign_in"))] };
  }
  const spec = await openapiDocument(api);
  const schema = spec.components.schemas[SCHEMAS[kind]];
  const required = new Set(schema.required || []);
  let record = {};
  let etag = null;
  const [topics, answer] = await Promise.all([loadTopics(api), id ? api(`${kind}/${id}`) : null]);
  if (answer) {
    record = answer.data;
    etag = answer.etag;
  }
  const societies = FORM[kind].includes("societies") ? (await api("societies", { query: { page_size: 100 } })).data : [];
  const lists = {
    languages: () => languageOptions(),
    countries: () => countryOptions(),
    societies: () => societies.map((society) => ({ value: society.code, label: society.name })),
    topics: (category) => topicOptions(category ? topics.filter((topic) => topic.category === category) : topics),
  };
  const pickers = {};
  const fields = FORM[kind].filter((name) => schema.properties[name]);
  const summary = h("div", { class: "error", role: "alert", id: "form-error" });

  const translationSchema = resolve(spec, schema.properties.translations?.additionalProperties);
  const ownLanguage = () => (recordLanguage(kind, { language: pickers.language?.value,
    languages: pickers.languages?.value })) || null;
  let translations = null;

  const form = h("form", { novalidate: true, class: "editor", onsubmit: async (event) => {
    event.preventDefault();
    const errors = {};
    const body = {};
    for (const name of fields) {
      const prop = schema.properties[name];
      const raw = readField(form, name, prop, pickers);
      const problems = check(prop, !id && required.has(name), raw, name);
      if (id && required.has(name) && (raw === "" || (Array.isArray(raw) && !raw.length))) problems.push(t("editor.error.required"));
      if (problems.length) errors[name] = problems;
      const value = toApi(prop, raw, name);
      const before = record[name] ?? (Array.isArray(value) ? [] : value === null ? null : "");
      const empty = value === "" || value === null || (Array.isArray(value) && !value.length);
      if (id ? JSON.stringify(value) !== JSON.stringify(before) : !empty) body[name] = value;
    }
    if (translations) {
      const { value, errors: problems } = translations.read();
      Object.assign(errors, problems);
      if (id ? translations.differs(value) : Object.keys(value).length) body.translations = value;
    }
    const first = showErrors(form, errors);
    if (Object.keys(errors).length) {
      summary.textContent = t("editor.correct_fields", { count: Object.keys(errors).length });
      (first || summary).focus();
      return;
    }
    summary.textContent = "";
    try {
      const saved = id
        ? await api(`${kind}/${id}`, { method: "PATCH", body, headers: { "If-Match": etag } })
        : await api(kind, { method: "POST", body });
      await navigate(`/${kind}/${saved.data.id}`, { replace: Boolean(id) });
      announce(id ? t("editor.done.saved") : t(`editor.done.created.${kind}`));
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      const placed = placeTranslationErrors(error.fields);
      const focus = showErrors(form, placed);
      const unplaced = Object.keys(placed).filter((name) => !form.querySelector(`#field-${name}-error`));
      summary.replaceChildren(...(error.status === 412 ? [t("editor.error.changed_meanwhile")]
        : [...explained(error), ...unplaced.map((name) => ` ${name}: ${placed[name].join(" ")}`)]));
      (focus || summary).focus?.();
    }
  } },
  summary,
  fields.map((name) => fieldWidget(kind, name, schema.properties[name], required.has(name), record[name], lists, pickers,
    { api, society: record.society || me.society })));

  if (translationSchema?.properties) {
    translations = translationsEditor({ kind, schema: translationSchema, record, ownLanguage, lists });
    form.append(translations.section);
    form.addEventListener("input", (event) => {
      const name = event.target.name;
      if (name && !event.target.closest(".translations")) translations.original(name, event.target.value);
    });
    form.addEventListener("picker-change", (event) => {
      if (["language", "languages"].includes(event.target.name)) translations.ownLanguageChanged();
    });
  }
  // Unsaved input: the shell asks before it renders the page anew (a switch of the console's language).
  let edited = false;
  for (const type of ["input", "change", "picker-change"]) form.addEventListener(type, () => { edited = true; });
  form.append(h("div", { class: "actions" }, h("button", { type: "submit" }, t(id ? "editor.save" : "editor.save_draft")),
    h("a", { class: "button secondary", href: id ? `/${kind}/${id}` : "/my-society" }, t("editor.cancel"))));
  summary.setAttribute("tabindex", "-1");
  return {
    title,
    dirty: () => edited && form.isConnected,
    nodes: [h("p", { class: "breadcrumb" }, h("a", { href: "/my-society" }, t("editor.breadcrumb.my_society")), " › ", t(`editor.types.${kind}`)),
      h("h1", { tabindex: "-1" }, id ? t("editor.heading.edit", { title: recordTitle(record) }) : title),
      record.status === "published" ? h("p", { class: "notice" }, t("editor.published_notice")) : null,
      h("p", { class: "hint" }, t("editor.required_hint")),
      form],
  };
}
