// Pickers: a searchable combobox (WAI-ARIA 1.2 combobox with a listbox popup) for one value or several (chips),
// so that a language, a country or a topic is chosen by its name in the reader's language and never typed as a
// code. Typing filters by name, by the English name and by code ("Neder", "Netherlands" and "NL" all find
// Nederland); the first match is active, so Enter takes it. Keyboard: ↓/↑ move, Enter chooses, Escape closes
// (then restores the text), Backspace in an empty field removes the last chip. A polite status says how many
// options match and what was added or removed.
import { h } from "./dom.js";
import { compareNames, countryName, currentLanguage, LANGUAGES, languageName, t, topicLabel } from "./i18n.js";

// The codes the API accepts (schemas/common.py: COUNTRY_CODES, ISO 3166-1 alpha-2 plus XK; LANGUAGE_CODES, ISO
// 639-1); tests/test_console_codes.py checks that these lists and the API's agree.
export const COUNTRY_CODES = ("AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO "
  + "BQ BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH "
  + "ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL "
  + "IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME "
  + "MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH "
  + "PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC "
  + "TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS XK YE YT ZA ZM ZW")
  .split(" ");
export const LANGUAGE_CODES = ("aa ab ae af ak am an ar as av ay az ba be bg bi bm bn bo br bs ca ce ch co cr cs cu "
  + "cv cy da de dv dz ee el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha he hi ho hr ht hu hy hz ia id "
  + "ie ig ii ik io is it iu ja jv ka kg ki kj kk kl km kn ko kr ks ku kv kw ky la lb lg li ln lo lt lu lv mg mh mi "
  + "mk ml mn mr ms mt my na nb nd ne ng nl nn no nr nv ny oc oj om or os pa pi pl ps pt qu rm rn ro ru rw sa sc sd "
  + "se sg sh si sk sl sm sn so sq sr ss st su sv sw ta te tg th ti tk tl tn to tr ts tt tw ty ug uk ur uz ve vi vo "
  + "wa wo xh yi yo za zh zu").split(" ");

function englishName(type, code) {
  try {
    return new Intl.DisplayNames(["en"], { type, fallback: "code" }).of(code) || code;
  } catch {
    return code;
  }
}

// A language's own name for itself ("français"), shown beside the reader's name for it.
export function nativeName(code) {
  try {
    const name = new Intl.DisplayNames([code], { type: "language", fallback: "none" }).of(code);
    return name && name !== code ? name : "";
  } catch {
    return "";
  }
}

const byLabel = (a, b) => compareNames(a.label, b.label);

// Options: {value, label, terms (more words that find it), note (shown after the label), noteLang}.
const cache = new Map();

function cached(key, make) {
  const full = `${key}:${currentLanguage()}`;
  if (!cache.has(full)) cache.set(full, make());
  return cache.get(full).slice();
}

export function languageOptions(codes = LANGUAGE_CODES) {
  return codes === LANGUAGE_CODES ? cached("languages", () => makeLanguageOptions(codes)) : makeLanguageOptions(codes);
}

function makeLanguageOptions(codes) {
  return codes.map((code) => {
    const native = nativeName(code);
    const label = languageName(code);
    return { value: code, label, terms: [code, englishName("language", code), native],
      note: native && native.toLocaleLowerCase() !== label.toLocaleLowerCase() ? native : "", noteLang: code,
      network: LANGUAGES.includes(code) };
  }).sort((a, b) => Number(b.network) - Number(a.network) || byLabel(a, b)); // the network's languages first
}

export function countryOptions(codes = COUNTRY_CODES) {
  return codes === COUNTRY_CODES ? cached("countries", () => makeCountryOptions(codes)) : makeCountryOptions(codes);
}

function makeCountryOptions(codes) {
  return codes.map((code) => ({ value: code, label: countryName(code), terms: [code, englishName("region", code)] }))
    .sort(byLabel);
}

export function topicOptions(topics) {
  return topics.map((topic) => ({ value: topic.code, label: topicLabel(topic),
    terms: [topic.code, topic.labels?.en || ""] })).sort(byLabel);
}

const fold = (text) => String(text || "").normalize("NFD").replace(/\p{M}/gu, "").toLocaleLowerCase();

// The options matching what was typed, best first: the exact code, then names that start with it, then words
// of a name that start with it, then names that contain it.
export function matching(options, typed) {
  const query = fold(typed).trim();
  if (!query) return options;
  const scored = [];
  for (const option of options) {
    const names = [option.label, ...(option.terms || []).slice(1)].map(fold).filter(Boolean);
    const code = fold(option.value);
    let score = null;
    if (code === query) score = 0;
    else if (names.some((name) => name.startsWith(query))) score = 1;
    else if (names.some((name) => name.split(/[\s\-–(),/]+/).some((word) => word.startsWith(query)))) score = 2;
    else if (code.startsWith(query)) score = 3;
    else if (names.some((name) => name.includes(query))) score = 4;
    if (score !== null) scored.push([score, option]);
  }
  return scored.sort((a, b) => a[0] - b[0]).map(([, option]) => option);
}

let counter = 0;

// A picker. `id` is the text field's (a <label for> names it), `value` a code or a list of codes.
// Returns {element, input, get value(), set value(v), setOptions(options)}; onChange(value) after each change.
export function picker({ id, label, options, multiple = false, value = multiple ? [] : "", required = false,
  describedBy = [], hint = true, onChange = () => {}, placeholder = "" }) {
  const uid = `picker-${++counter}`;
  let all = options;
  let chosen = multiple ? [...(value || [])] : value || "";
  let shown = [];
  let active = -1;
  let announceTimer = null;

  const labelOf = (code) => all.find((option) => option.value === code)?.label || code;
  const status = h("div", { class: "visually-hidden", role: "status", id: `${uid}-status` });
  const hintNode = hint ? h("p", { class: "hint", id: `${uid}-hint` },
    t(multiple ? "picker.hint.multiple" : "picker.hint.single")) : null;
  const listbox = h("ul", { role: "listbox", id: `${uid}-listbox`, class: "picker-listbox", hidden: true,
    "aria-label": label, "aria-multiselectable": multiple ? "true" : null });
  const input = h("input", { type: "text", id, role: "combobox", autocomplete: "off", spellcheck: "false",
    "aria-autocomplete": "list", "aria-expanded": "false", "aria-controls": listbox.id, class: "picker-input",
    "aria-describedby": [...describedBy, hintNode?.id].filter(Boolean).join(" ") || null,
    required: required || null, placeholder: placeholder || null });
  const chips = multiple ? h("ul", { class: "picker-chips", "aria-label": t("picker.chosen", { label }) }) : null;

  const say = (message, delay = 0) => {
    window.clearTimeout(announceTimer);
    announceTimer = window.setTimeout(() => { status.textContent = message; }, delay);
  };

  function renderChips() {
    if (!chips) return;
    chips.replaceChildren(...chosen.map((code) => {
      const name = labelOf(code);
      return h("li", { class: "picker-chip" }, h("span", {}, name),
        h("button", { type: "button", class: "picker-remove", "aria-label": t("picker.remove", { name }),
          onclick: () => { remove(code); input.focus(); } }, "×"));
    }));
    chips.hidden = !chosen.length;
  }

  function open() {
    listbox.hidden = false;
    input.setAttribute("aria-expanded", "true");
  }

  function close() {
    listbox.hidden = true;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
    active = -1;
  }

  function setActive(index) {
    const items = listbox.querySelectorAll("[role=option]");
    for (const item of items) item.classList.remove("active");
    active = items.length ? Math.max(0, Math.min(index, items.length - 1)) : -1;
    if (active < 0) {
      input.removeAttribute("aria-activedescendant");
      return;
    }
    items[active].classList.add("active");
    input.setAttribute("aria-activedescendant", items[active].id);
    items[active].scrollIntoView?.({ block: "nearest" });
  }

  function filter({ announce = true } = {}) {
    const typed = input.value;
    const selected = multiple ? new Set(chosen) : new Set([chosen]);
    shown = matching(all.filter((option) => !multiple || !selected.has(option.value)), typed);
    listbox.replaceChildren(...(shown.length ? shown.map((option, index) => h("li", {
      role: "option", id: `${uid}-option-${index}`, "aria-selected": selected.has(option.value) ? "true" : "false",
      onmousedown: (event) => event.preventDefault(), // keep the focus in the text field
      onclick: () => choose(option),
    }, option.label, option.note ? h("span", { class: "picker-note", lang: option.noteLang || null }, ` (${option.note})`) : null))
      : [h("li", { class: "picker-empty", role: "option", "aria-disabled": "true", "aria-selected": "false",
        id: `${uid}-none` }, t("picker.no_match"))]));
    open();
    setActive(typed.trim() && shown.length ? 0 : shown.findIndex((option) => selected.has(option.value)));
    if (announce) say(shown.length ? t("picker.count", { count: shown.length }) : t("picker.no_match"), 400);
  }

  function changed() {
    renderChips();
    onChange(multiple ? [...chosen] : chosen);
    input.dispatchEvent(new CustomEvent("picker-change", { bubbles: true }));
  }

  function choose(option) {
    if (multiple) {
      if (!chosen.includes(option.value)) chosen.push(option.value);
      input.value = "";
      close();
      say(t("picker.added", { name: option.label, count: chosen.length }));
    } else {
      chosen = option.value;
      input.value = option.label;
      close();
      say(t("picker.selected", { name: option.label }));
    }
    changed();
  }

  function remove(code) {
    chosen = chosen.filter((item) => item !== code);
    say(t("picker.removed", { name: labelOf(code), count: chosen.length }));
    changed();
  }

  // Single: the text field shows the chosen name; what was typed and not chosen never becomes the value.
  function settle() {
    if (multiple) {
      input.value = "";
    } else if (!input.value.trim()) {
      if (chosen) {
        chosen = "";
        changed();
      }
    } else {
      input.value = chosen ? labelOf(chosen) : "";
    }
  }

  input.addEventListener("input", () => filter());
  input.addEventListener("click", () => { if (listbox.hidden) filter({ announce: false }); });
  input.addEventListener("focus", () => { if (!multiple && chosen) input.select(); });
  input.addEventListener("blur", () => { close(); settle(); });
  input.addEventListener("keydown", (event) => {
    const isOpen = !listbox.hidden;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      if (!isOpen || event.altKey) {
        filter();
        if (active < 0 && shown.length) setActive(event.key === "ArrowUp" ? shown.length - 1 : 0);
        return;
      }
      setActive(active + (event.key === "ArrowDown" ? 1 : -1));
    } else if (event.key === "Enter") {
      if (isOpen && active >= 0 && shown[active]) {
        event.preventDefault();
        choose(shown[active]);
      } else if (isOpen || input.value.trim()) {
        event.preventDefault(); // an unfinished choice never sends the form
        if (!shown.length) say(t("picker.no_match"));
      }
    } else if (event.key === "Escape") {
      if (isOpen) {
        event.preventDefault();
        close();
      } else if (input.value) {
        event.preventDefault();
        input.value = multiple ? "" : chosen ? labelOf(chosen) : "";
      }
    } else if (event.key === "Backspace" && multiple && !input.value && chosen.length) {
      event.preventDefault();
      remove(chosen[chosen.length - 1]);
    } else if (event.key === "Tab" && isOpen) {
      close();
    }
  });

  const element = h("div", { class: `picker${multiple ? " picker-multiple" : ""}` }, chips,
    h("div", { class: "picker-box" }, input, listbox), hintNode, status);

  const control = {
    element,
    input,
    get value() {
      return multiple ? [...chosen] : chosen;
    },
    set value(next) {
      chosen = multiple ? [...(next || [])] : next || "";
      if (!multiple) input.value = chosen ? labelOf(chosen) : "";
      renderChips();
    },
    setOptions(next) {
      all = next;
      control.value = chosen;
    },
  };
  control.value = chosen;
  return control;
}
