// The console in the reader's language: message catalogues (static/console/i18n/<code>.json, one per language,
// English the reference), the chosen language (remembered; the browser's languages otherwise), and names of
// countries and languages from the browser's CLDR data (Intl.DisplayNames), never codes.
//
// A catalogue is a flat object: "key": "text with {placeholders}". A message that depends on a number is an
// object of CLDR plural categories: {"one": "{count} result", "other": "{count} results"}.

export const LANGUAGES = ["en", "nl", "fr", "de", "es", "it", "pt", "pl", "ro", "el", "bg", "hr", "cs", "da", "sv",
  "fi", "uk"];
const STORAGE_KEY = "atn-hub-language";
const CATALOGUE_URL = (code) => `/static/console/i18n/${code}.json`;

let language = "en";
// The locale for plurals, numbers, dates and names where the catalogue's language is one country's variety:
// the catalogue is European Portuguese (CLDR "pt" is Brazil's: 0 takes the singular there, not in Portugal).
const LOCALES = { pt: "pt-PT" };

function locale() {
  return LOCALES[language] || language;
}
let messages = {};
let english = {};
const listeners = [];

async function loadCatalogue(code) {
  const response = await fetch(CATALOGUE_URL(code), { credentials: "same-origin" });
  if (!response.ok) throw new Error(`${CATALOGUE_URL(code)}: ${response.status}`);
  return response.json();
}

function remembered() {
  try {
    return window.localStorage.getItem(STORAGE_KEY);
  } catch {
    return null; // storage refused (private mode): the browser's language then
  }
}

// The first of the browser's languages the console speaks ("nl-BE" → "nl"), English otherwise.
export function browserLanguage(preferred = navigator.languages || [navigator.language]) {
  for (const tag of preferred) {
    const code = String(tag || "").toLowerCase().split("-")[0];
    if (LANGUAGES.includes(code)) return code;
  }
  return "en";
}

export async function initI18n() {
  const saved = remembered();
  await useLanguage(LANGUAGES.includes(saved) ? saved : browserLanguage());
}

async function useLanguage(code) {
  if (!Object.keys(english).length) english = await loadCatalogue("en");
  messages = code === "en" ? english : await loadCatalogue(code).catch(() => english);
  language = messages === english ? "en" : code;
  document.documentElement.lang = language;
  document.documentElement.dir = "ltr"; // all the network's languages are written left to right
}

// Switches the console's language, remembers it, and lets the shell re-render the page.
export async function setLanguage(code) {
  if (!LANGUAGES.includes(code)) return;
  try {
    window.localStorage.setItem(STORAGE_KEY, code);
  } catch {
    // not remembered, but still switched for this page
  }
  await useLanguage(code);
  for (const listener of listeners) await listener(language);
}

export function onLanguageChange(listener) {
  listeners.push(listener);
}

export function currentLanguage() {
  return language;
}

function fill(text, params) {
  return String(text).replace(/\{(\w+)\}/g, (all, name) => (name in params ? String(params[name]) : all));
}

// Whether the catalogues have a message (a key the server names, such as a refused search's reason, may be newer).
export function hasMessage(key) {
  return key in english;
}

// The message for `key` in the reader's language (English when the catalogue lacks it, the key as a last
// resort, so a missing message is visible and never an empty label).
export function t(key, params = {}) {
  const message = messages[key] ?? english[key] ?? key;
  if (typeof message === "object" && message !== null) {
    const count = Number(params.count ?? 0);
    const category = new Intl.PluralRules(locale()).select(count);
    return fill(message[category] ?? message.other ?? key, { ...params, count: formatNumber(count) });
  }
  return fill(message, params);
}

function displayName(type, code) {
  if (!code) return "";
  try {
    return new Intl.DisplayNames([locale(), "en"], { type, fallback: "code" }).of(code) || code;
  } catch {
    return code; // not a code Intl knows
  }
}

export function languageName(code) {
  const name = displayName("language", code);
  return name ? name.charAt(0).toLocaleUpperCase(locale()) + name.slice(1) : name;
}

// A language named in itself ("Nederlands", "Deutsch"), as a language switcher lists them.
export function nativeLanguageName(code) {
  let name = code;
  try {
    name = new Intl.DisplayNames([code], { type: "language", fallback: "code" }).of(code) || code;
  } catch {
    // not a code Intl knows: the code itself
  }
  return name.charAt(0).toLocaleUpperCase(code) + name.slice(1);
}

export function countryName(code) {
  return displayName("region", String(code || "").toUpperCase());
}

// A topic's label in the reader's language (topics carry labels by language code), English, then its code.
export function topicLabel(topic) {
  if (!topic) return "";
  const labels = topic.labels || {};
  return labels[language] || labels.en || topic.label || topic.code;
}

export function formatNumber(value, options = {}) {
  return new Intl.NumberFormat(locale(), options).format(value);
}

export function formatDate(value, options = { dateStyle: "medium" }) {
  if (!value) return "";
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? String(value) : new Intl.DateTimeFormat(locale(), options).format(date);
}

// Sorts by the reader's alphabet (Ä after A in German, after Z in Swedish).
export function compareNames(a, b) {
  return a.localeCompare(b, locale(), { sensitivity: "base" });
}
