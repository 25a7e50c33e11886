// Search: one box; results with highlighted snippets; facets as filters; pagination; "did you mean".
// The URL's query is the whole state: /?q=...&type=practice&country=NL&page=2.
// Names, never codes: countries and languages by their names in the reader's language, topics by their
// labels, record types by name; each hit's title and snippet carry the hit's own language (lang).
import { ApiError } from "./api.js";
import { formatDate, h, snippetNodes, tNodes, TYPE_PATHS, typeLabel } from "./dom.js";
import { compareNames, countryName, currentLanguage, formatNumber, hasMessage, languageName, t, topicLabel } from "./i18n.js";

const FACETS = ["type", "country", "language", "topic", "society"];
const SORTS = ["relevance", "newest", "title"];
const PAGE_SIZE = 20;
let topics = null; // code -> topic (with its labels in every language)
let societies = null; // code -> society

async function byCode(api, path) {
  const found = {};
  try {
    for (const item of (await api(path, { query: { page_size: 100 } })).data) found[item.code] = item;
  } catch {
    // names are a nicety: codes are shown instead
  }
  return found;
}

// A name and the language it is written in (null: a code, or the reader's own language).
const named = (text, lang = null) => ({ text, lang });

// A society by its own name when it speaks the reader's language, by its English name otherwise.
function societyName(society, code) {
  if (!society) return named(code);
  if ((society.languages || []).includes(currentLanguage()) && society.name_local) return named(society.name_local);
  return society.name ? named(society.name, "en") : named(code);
}

// A topic by its label in the reader's language, else in English, else its code.
function topicName(code) {
  const topic = topics[code];
  if (!topic) return named(code);
  const labels = topic.labels || {};
  return named(topicLabel(topic), labels[currentLanguage()] ? null : labels.en ? "en" : null);
}

// A name as page content: marked with its language when that is not the page's (screen readers switch voice).
function nameNode({ text, lang }) {
  return lang && lang !== currentLanguage() ? h("span", { lang }, text) : text;
}

function urlWith(query, changes) {
  const next = new URLSearchParams(query);
  for (const [key, value] of Object.entries(changes)) {
    if (Array.isArray(value)) {
      next.delete(key);
      for (const item of value) next.append(key, item);
    } else if (value === null || value === "") next.delete(key);
    else next.set(key, value);
  }
  if (!("page" in changes)) next.delete("page");
  const text = next.toString();
  return text ? `/?${text}` : "/";
}

function facetLabel(name, value) {
  if (name === "type") return named(typeLabel(value));
  if (name === "country") return named(countryName(value));
  if (name === "language") return named(languageName(value));
  if (name === "topic") return topicName(value);
  if (name === "society") return societyName(societies[value], value);
  return named(value);
}

function hitMeta(hit) {
  const parts = [
    // an unpublished record (the caller's society's) is marked as such, in words
    hit.status && hit.status !== "published" ? h("span", { class: "badge status-badge" }, t(`status.${hit.status}`)) : null,
    typeLabel(hit.type),
    hit.society && nameNode(societyName(societies[hit.society], hit.society)),
    (hit.countries || []).map(countryName).join(", "),
    hit.language && languageName(hit.language),
    hit.updated_at && t("search.hit_updated", { date: formatDate(hit.updated_at) }),
  ].filter(Boolean);
  return parts.flatMap((part, i) => (i ? [" · ", part] : [part]));
}

// Why the API refused the search, in the reader's language (its `query_error`: a reason and the values it names);
// a reason the catalogues do not know yet, or a refused filter, as the server says it, marked as English.
function refusedSearch(error) {
  const reason = error.queryError?.reason;
  if (reason && hasMessage(`search.refused.${reason}`)) return t(`search.refused.${reason}`, error.queryError);
  const messages = Object.values(error.fields).flat();
  return h("span", { lang: "en" }, messages.length ? messages.join(" ") : error.message);
}

export async function searchPage({ api, query, navigate }) {
  const q = query.get("q") || "";
  const sort = query.get("sort") || "relevance";
  const filters = Object.fromEntries(FACETS.map((name) => [name, query.getAll(name)]));
  const page = Math.max(1, parseInt(query.get("page") || "1", 10) || 1);
  const input = h("input", { id: "q", name: "q", type: "search", value: q, autocomplete: "off", "aria-describedby": "q-help" });
  const sortSelect = h("select", { id: "sort", name: "sort" },
    SORTS.map((value) => h("option", { value, selected: value === sort }, t(`search.sort.${value}`))));
  const form = h("form", {
    role: "search", class: "search-form", onsubmit: (event) => {
      event.preventDefault();
      navigate(urlWith(query, { q: input.value.trim(), sort: sortSelect.value === "relevance" ? null : sortSelect.value }));
    },
  },
  h("label", { for: "q" }, t("search.label")),
  h("div", { class: "search-row" }, input, h("button", { type: "submit" }, t("search.submit"))),
  h("p", { id: "q-help", class: "hint" }, t("search.help")),
  h("div", { class: "sort" }, h("label", { for: "sort" }, t("search.sort_by")), sortSelect));

  const hasQuery = q || Object.values(filters).some((values) => values.length);
  const heading = h("h1", { tabindex: "-1" }, t("search.heading"));
  if (!hasQuery) {
    return { title: t("search.title"), focus: input, nodes: [heading, form, h("p", {}, t("search.intro"))] };
  }
  let result;
  try {
    result = (await api("search", { query: { q, sort, page, page_size: PAGE_SIZE, ...filters } })).data;
  } catch (error) {
    if (!(error instanceof ApiError) || error.status !== 400 && error.status !== 422) throw error;
    return {
      title: t("search.title"), focus: input,
      nodes: [heading, form, h("p", { class: "error", role: "alert", id: "search-error" }, refusedSearch(error))],
    };
  }
  topics ||= await byCode(api, "topics");
  societies ||= await byCode(api, "societies");
  const count = result.total;
  const resultsHeading = h("h2", { id: "results-heading", tabindex: "-1" },
    q ? t("search.results_for", { count, query: q }) : t("search.results", { count }));
  const active = FACETS.flatMap((name) => filters[name].map((value) =>
    h("li", {}, h("a", { class: "chip", href: urlWith(query, { [name]: filters[name].filter((v) => v !== value) }) },
      tNodes("search.active_filter", { facet: t(`search.facet.${name}`), value: h("span", {}, nameNode(facetLabel(name, value))) }),
      h("span", { class: "visually-hidden" }, ` ${t("search.remove_filter")}`), " ×"))));
  const facets = h("aside", { class: "facets", "aria-label": t("search.filters") },
    h("h2", {}, t("search.filter")),
    FACETS.map((name) => {
      const counts = Object.entries(result.facets?.[name] || {})
        .map(([value, n]) => [value, n, facetLabel(name, value)])
        .sort((a, b) => b[1] - a[1] || compareNames(a[2].text, b[2].text));
      if (!counts.length) return null;
      return h("section", { class: "facet" }, h("h3", {}, t(`search.facet.${name}`)), h("ul", {}, counts.slice(0, 12).map(([value, n, label]) => {
        const selected = filters[name].includes(value);
        const values = selected ? filters[name].filter((v) => v !== value) : [...filters[name], value];
        return h("li", {}, h("a", { href: urlWith(query, { [name]: values }), "aria-current": selected ? "true" : null },
          nameNode(label), " ", h("span", { class: "count" }, `(${formatNumber(n)})`)));
      })));
    }));
  // "Did you mean {suggestion}?": the sentence around the link comes from the catalogue, in any word order.
  const suggestion = result.suggestion
    ? h("p", { class: "suggestion" }, tNodes("search.did_you_mean", {
      suggestion: h("a", { href: urlWith(query, { q: result.suggestion }) }, result.suggestion) }))
    : null;
  const hits = h("ol", { class: "hits", start: (page - 1) * PAGE_SIZE + 1 }, result.hits.map((hit) =>
    h("li", { class: "hit" },
      h("h3", { lang: hit.language || null }, h("a", { href: `/${TYPE_PATHS[hit.type]}/${hit.id}` }, hit.title)),
      h("p", { class: "meta" }, hitMeta(hit)),
      hit.snippet ? h("p", { class: "snippet", lang: hit.language || null }, snippetNodes(hit.snippet)) : null,
      hit.file ? h("p", { class: "hit-file" }, t("search.found_in_file", { name: hit.file.filename, page: formatNumber(hit.file.page) })) : null)));
  const pages = Math.max(1, Math.ceil(result.total / PAGE_SIZE));
  const pager = pages > 1 ? h("nav", { class: "pager", "aria-label": t("search.pages") },
    page > 1 ? h("a", { href: urlWith(query, { page: page - 1 === 1 ? null : String(page - 1) }), rel: "prev" }, t("common.previous")) : null,
    h("span", {}, t("common.page_of", { page: formatNumber(page), pages: formatNumber(pages) })),
    page < pages ? h("a", { href: urlWith(query, { page: String(page + 1) }), rel: "next" }, t("common.next")) : null) : null;
  return {
    title: q ? t("search.title_query", { query: q }) : t("search.title"),
    focus: resultsHeading,
    announce: t("search.results", { count }),
    nodes: [heading, form,
      active.length ? h("ul", { class: "active-filters", "aria-label": t("search.active_filters") }, active) : null,
      h("div", { class: "search-layout" },
        h("section", { class: "results", "aria-labelledby": "results-heading" }, resultsHeading, suggestion,
          result.hits.length ? hits : h("p", {}, t("search.nothing")), pager),
        facets)].filter(Boolean),
  };
}
