// The editor for a society's drafts: a form whose rules (required fields, lengths, allowed values, ranges) are
// read from the API's own OpenAPI document, so the checks made before sending are the API's; whatever the API
// still refuses is shown next to the field it names.
import { ApiError } from "./api.js";
import { announce, h } from "./dom.js";
import { recordTitle } from "./record.js";
import { KINDS } from "./society.js";

// The request body's schema of each kind, in the OpenAPI document.
const SCHEMAS = { practices: "PracticeCreate", contacts: "ContactCreate", "training-materials": "TrainingMaterialCreate" };

// What the editor shows, in order, with labels; the constraints come from the OpenAPI schema.
const FORM = {
  practices: [["title", "Title"], ["summary", "Summary"], ["body", "Description"], ["language", "Language"],
    ["countries", "Countries"], ["kind", "Kind"], ["visibility", "Visibility"], ["topics", "Topics"],
    ["target_groups", "Target groups"], ["forms_of_exploitation", "Forms of exploitation"], ["areas", "Areas (4P)"],
    ["services", "Services"], ["results", "Results"], ["evaluation", "Evaluation"], ["start_year", "Since (year)"],
    ["end_year", "Until (year)"], ["external_id", "Identifier in your own system"]],
  contacts: [["name", "Name"], ["role", "Role"], ["country", "Country"], ["email", "Email"], ["phone", "Phone"],
    ["languages", "Languages"], ["topics", "Topics"], ["visibility", "Visibility"], ["external_id", "Identifier in your own system"]],
  "training-materials": [["title", "Title"], ["description", "Description"], ["format", "Format"], ["languages", "Languages"],
    ["audience", "Audience"], ["duration_minutes", "Duration (minutes)"], ["external_url", "Link"], ["licence", "Licence"],
    ["topics", "Topics"], ["visibility", "Visibility"], ["external_id", "Identifier in your own system"]],
};

let openapi = null;

async function schemaOf(api, name) {
  openapi ||= (await api("/openapi.json")).data;
  return openapi.components.schemas[name];
}

const types = (prop) => [].concat(prop.type || "string");

function widgetOf(prop) {
  if (types(prop).includes("array")) return prop.items?.enum ? "checkboxes" : "list";
  if (prop.enum) return "select";
  if (types(prop).includes("integer")) return "integer";
  if (prop.maxLength && prop.maxLength > 300) return "textarea";
  return "text";
}

// The API's messages (marshmallow's wording), so a person reads the same thing before and after sending.
export function check(prop, required, raw) {
  const widget = widgetOf(prop);
  const empty = raw === "" || raw === null || (Array.isArray(raw) && !raw.length);
  if (empty) {
    if (required) return ["Missing data for required field."];
    return [];
  }
  const messages = [];
  const length = (count, min, max) => {
    if ((min !== undefined && count < min) || (max !== undefined && count > max)) {
      if (min !== undefined && max !== undefined) messages.push(`Length must be between ${min} and ${max}.`);
      else if (max !== undefined) messages.push(`Longer than maximum length ${max}.`);
      else messages.push(`Shorter than minimum length ${min}.`);
    }
  };
  if (widget === "integer") {
    const n = Number(raw);
    if (!Number.isInteger(n)) messages.push("Not a valid integer.");
    else if ((prop.minimum !== undefined && n < prop.minimum) || (prop.maximum !== undefined && n > prop.maximum)) {
      messages.push(`Must be greater than or equal to ${prop.minimum} and less than or equal to ${prop.maximum}.`);
    }
  } else if (Array.isArray(raw)) {
    length(raw.length, prop.minItems, prop.maxItems);
    const pattern = prop.items?.pattern ? new RegExp(prop.items.pattern) : null;
    for (const item of raw) if (pattern && !pattern.test(item)) messages.push(`'${item}' is not a valid code.`);
    if (new Set(raw).size !== raw.length) messages.push("Values must be unique.");
  } else {
    length(raw.length, prop.minLength, prop.maxLength);
    if (prop.enum && !prop.enum.includes(raw)) messages.push(`Must be one of: ${prop.enum.join(", ")}.`);
    if (prop.format === "email" && !/^[^@\s]+@[^@\s]+$/.test(raw)) messages.push("Not a valid email address.");
    if (prop.format === "url" && !/^https?:\/\/\S+$/.test(raw)) messages.push("Not a valid URL.");
  }
  return messages;
}

function fieldWidget(name, label, prop, required, value) {
  const id = `field-${name}`;
  const describedBy = [`${id}-error`];
  const hintText = prop.description && !prop.enum ? prop.description : prop.items?.description
    ? `Comma-separated. ${prop.items.description}.` : widgetOf(prop) === "list" ? "Comma-separated." : null;
  if (hintText) describedBy.push(`${id}-hint`);
  const common = { id, name, "aria-describedby": describedBy.join(" "), required: required || null };
  const widget = widgetOf(prop);
  let control;
  if (widget === "textarea") control = h("textarea", { ...common, rows: name === "body" || name === "description" ? 8 : 3, value: value ?? "" });
  else if (widget === "select") {
    control = h("select", common, required ? null : h("option", { value: "" }, "—"),
      prop.enum.map((option) => h("option", { value: option, selected: (value ?? prop.default) === option }, option.replace(/_/g, " "))));
  } else if (widget === "checkboxes") {
    const chosen = new Set(value || []);
    return h("fieldset", { class: "field", id, "aria-describedby": `${id}-error` }, h("legend", {}, label),
      h("div", { class: "checkboxes" }, prop.items.enum.map((option) => h("label", { class: "check" },
        h("input", { type: "checkbox", name, value: option, checked: chosen.has(option) }), " ", option.replace(/_/g, " ")))),
      h("p", { class: "field-error", id: `${id}-error` }));
  } else if (widget === "list") control = h("input", { ...common, type: "text", value: (value || []).join(", ") });
  else if (widget === "integer") control = h("input", { ...common, type: "number", inputmode: "numeric", value: value ?? "" });
  else control = h("input", { ...common, type: prop.format === "email" ? "email" : prop.format === "url" ? "url" : "text", value: value ?? "" });
  return h("div", { class: "field" },
    h("label", { for: id }, label, required ? h("span", { class: "required" }, " (required)") : null),
    control,
    hintText ? h("p", { class: "hint", id: `${id}-hint` }, hintText) : null,
    h("p", { class: "field-error", id: `${id}-error` }));
}

function readField(form, name, prop) {
  const widget = widgetOf(prop);
  if (widget === "checkboxes") return [...form.querySelectorAll(`input[name="${name}"]:checked`)].map((box) => box.value);
  const raw = form.elements[name].value.trim();
  if (widget === "list") return raw ? raw.split(",").map((part) => part.trim()).filter(Boolean) : [];
  return raw;
}

function toApi(prop, raw) {
  const widget = widgetOf(prop);
  if (widget === "integer") return raw === "" ? null : Number(raw);
  if (raw === "" && types(prop).includes("null")) return null;
  return raw;
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
    control.setAttribute("aria-invalid", "true");
    first ||= control.matches("fieldset") ? control.querySelector("input") : control;
  }
  return first;
}

export async function editorPage({ api, me, navigate, signIn }, kind, id) {
  const [, label, singular] = KINDS.find(([k]) => k === kind);
  const title = id ? `Edit ${singular}` : `New ${singular}`;
  if (!me) {
    return { title, nodes: [h("h1", { tabindex: "-1" }, title), h("p", {}, "Sign in to edit."), h("button", { type: "button", onclick: signIn }, "Sign in")] };
  }
  const schema = await schemaOf(api, SCHEMAS[kind]);
  const required = new Set(schema.required || []);
  let record = {};
  let etag = null;
  if (id) {
    const answer = await api(`${kind}/${id}`);
    record = answer.data;
    etag = answer.etag;
  }
  const fields = FORM[kind].filter(([name]) => schema.properties[name]);
  const summary = h("div", { class: "error", role: "alert", id: "form-error" });
  const form = h("form", { novalidate: true, class: "editor", onsubmit: async (event) => {
    event.preventDefault();
    const errors = {};
    const body = {};
    for (const [name] of fields) {
      const prop = schema.properties[name];
      const raw = readField(form, name, prop);
      const problems = check(prop, !id && required.has(name), raw);
      if (id && required.has(name) && (raw === "" || (Array.isArray(raw) && !raw.length))) problems.push("Missing data for required field.");
      if (problems.length) errors[name] = problems;
      const value = toApi(prop, raw);
      const before = record[name] ?? (Array.isArray(value) ? [] : value === null ? null : "");
      const empty = value === "" || value === null || (Array.isArray(value) && !value.length);
      if (id ? JSON.stringify(value) !== JSON.stringify(before) : !empty) body[name] = value;
    }
    const first = showErrors(form, errors);
    if (first) {
      summary.textContent = `Please correct ${Object.keys(errors).length === 1 ? "the field" : "the fields"} marked below.`;
      first.focus();
      return;
    }
    summary.textContent = "";
    try {
      const answer = id
        ? await api(`${kind}/${id}`, { method: "PATCH", body, headers: { "If-Match": etag } })
        : await api(kind, { method: "POST", body });
      await navigate(`/${kind}/${answer.data.id}`, { replace: Boolean(id) });
      announce(id ? "Saved." : `Draft ${singular} created.`);
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      const focus = showErrors(form, error.fields);
      const unplaced = Object.keys(error.fields).filter((name) => !form.querySelector(`#field-${name}-error`));
      summary.textContent = error.status === 412
        ? "Someone changed this record meanwhile: reload the page to see their changes, then edit again."
        : [error.message, ...unplaced.map((name) => `${name}: ${error.fields[name].join(" ")}`)].join(" ");
      (focus || summary).focus?.();
    }
  } },
  summary,
  fields.map(([name, text]) => fieldWidget(name, text, schema.properties[name], required.has(name), record[name])),
  h("div", { class: "actions" }, h("button", { type: "submit" }, id ? "Save" : "Save draft"),
    h("a", { class: "button secondary", href: id ? `/${kind}/${id}` : "/my-society" }, "Cancel")));
  summary.setAttribute("tabindex", "-1");
  return {
    title,
    nodes: [h("p", { class: "breadcrumb" }, h("a", { href: "/my-society" }, "My society"), " › ", label),
      h("h1", { tabindex: "-1" }, id ? `Edit “${recordTitle(record)}”` : title),
      record.status === "published" ? h("p", { class: "notice" }, "This record is published: your changes become a revision that coordinators review before the network sees it.") : null,
      h("p", { class: "hint" }, "Fields marked (required) must be filled in."),
      form],
  };
}
