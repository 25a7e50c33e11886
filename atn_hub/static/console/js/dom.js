// Building the page without ever parsing HTML strings: elements and text nodes only (the page's CSP
// enforces Trusted Types, so assigning an HTML string to an element would throw).
import { formatDate as formatInLanguage, t } from "./i18n.js";

export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key.startsWith("on") && typeof value === "function") el.addEventListener(key.slice(2), value);
    else if (key === "class") el.className = value;
    else if (key === "value") el.value = value;
    else if (key === "checked" || key === "selected") el[key] = Boolean(value);
    else el.setAttribute(key, value === true ? "" : String(value));
  }
  append(el, children);
  return el;
}

export function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

const ENTITIES = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'", nbsp: "\u00a0" };

export function decodeEntities(text) {
  return text.replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);/gi, (all, name) => {
    if (name[0] === "#") {
      const code = name[1] === "x" || name[1] === "X" ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
      return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : all;
    }
    return ENTITIES[name.toLowerCase()] ?? all;
  });
}

// A search snippet is HTML whose only markup is the highlight around matching words (<mark>, or
// <b class="match ...">). Everything else is text: any other tag is shown literally, never interpreted.
const HIGHLIGHT = /(<mark>|<\/mark>|<b class="match[^"<>]*">|<\/b>)/i;

export function snippetNodes(html) {
  const nodes = [];
  let mark = null;
  for (const part of String(html || "").split(HIGHLIGHT)) {
    if (!part) continue;
    if (/^<(mark|b )/i.test(part) && HIGHLIGHT.test(part)) {
      mark = h("mark");
      nodes.push(mark);
    } else if (/^<\/(mark|b)>$/i.test(part)) {
      mark = null;
    } else {
      const text = document.createTextNode(decodeEntities(part));
      (mark || { append: (n) => nodes.push(n) }).append(text);
    }
  }
  return nodes;
}

export function announce(message) {
  const region = document.getElementById("status");
  region.textContent = "";
  window.setTimeout(() => { region.textContent = message; }, 50);
}

// A message whose placeholders may be elements (a link, a name marked with its language): the text around them
// comes from the catalogue, so each language places them where its word order needs. Returns nodes for h().
export function tNodes(key, params = {}) {
  const plain = {};
  for (const [name, value] of Object.entries(params)) plain[name] = value instanceof Node ? `\uE000${name}\uE000` : value;
  return t(key, plain).split(/\uE000(\w+)\uE000/).map((part, i) => (i % 2 ? params[part] : part)).filter((part) => part !== "");
}

// A date in the reader's format ("5 dec. 2026" in Dutch, "Dec 5, 2026" in English).
export function formatDate(value) {
  return formatInLanguage(value);
}

export const TYPE_PATHS = { practice: "practices", contact: "contacts", "training-material": "training-materials",
  project: "projects" };

// A record type's name in the reader's language ("Goede praktijk"); `plural` for the name of many.
export function typeLabel(type, { plural = false } = {}) {
  if (!(type in TYPE_PATHS)) return type;
  return t(`types.${type}${plural ? ".plural" : ""}`);
}

// A record's status by name ("changes requested", "wijzigingen gevraagd"), never its code.
export function statusLabel(status) {
  return status ? t(`status.${status}`) : "";
}

// The same names as an object (TYPE_LABELS[type]): each read follows the language chosen at that moment.
export const TYPE_LABELS = Object.freeze(Object.defineProperties({}, Object.fromEntries(
  ["practice", "contact", "training-material", "project"].map((type) => [type, { enumerable: true, get: () => typeLabel(type) }]))));
export const PATH_TYPES = { practices: "practice", contacts: "contact", "training-materials": "training-material",
  projects: "project" };
