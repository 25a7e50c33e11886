// Search: one box; results with highlighted snippets; facets as filters; pagination; "did you mean".
// The URL's query is the whole state: /?q=...&type=practice&country=NL&page=2.
import { ApiError } from "./api.js";
import { formatDate, h, snippetNodes, TYPE_LABELS, TYPE_PATHS } from "./dom.js";

const FACETS = [["type", "Type"], ["country", "Country"], ["language", "Language"], ["topic", "Topic"], ["society", "Society"]];
const PAGE_SIZE = 20;
let topicLabels = null;

async function labelsOfTopics(api) {
  if (!topicLabels) {
    topicLabels = {};
    try {
      for (const topic of (await api("topics", { query: { page_size: 100 } })).data) {
        topicLabels[topic.code] = topic.labels.en || topic.code;
      }
    } catch {
      // labels are a nicety: codes are shown instead
    }
  }
  return topicLabels;
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

function facetLabel(name, value, labels) {
  if (name === "type") return TYPE_LABELS[value] || value;
  if (name === "topic") return labels[value] || value;
  return value;
}

export async function searchPage({ api, query, navigate }) {
  const q = query.get("q") || "";
  const sort = query.get("sort") || "relevance";
  const filters = Object.fromEntries(FACETS.map(([name]) => [name, query.getAll(name)]));
  const page = Math.max(1, parseInt(query.get("page") || "1", 10) || 1);
  const input = h("input", { id: "q", name: "q", type: "search", value: q, autocomplete: "off", "aria-describedby": "q-help" });
  const sortSelect = h("select", { id: "sort", name: "sort" },
    [["relevance", "Relevance"], ["newest", "Newest"], ["title", "Title"]].map(([value, label]) =>
      h("option", { value, selected: value === sort }, label)));
  const form = h("form", {
    role: "search", class: "search-form", onsubmit: (event) => {
      event.preventDefault();
      navigate(urlWith(query, { q: input.value.trim(), sort: sortSelect.value === "relevance" ? null : sortSelect.value }));
    },
  },
  h("label", { for: "q" }, "Search practices, contacts and training materials"),
  h("div", { class: "search-row" }, input, h("button", { type: "submit" }, "Search")),
  h("p", { id: "q-help", class: "hint" }, 'Any language. Use "quotes" for phrases, AND / OR / NOT, prefix*.'),
  h("div", { class: "sort" }, h("label", { for: "sort" }, "Sort by"), sortSelect));

  const hasQuery = q || Object.values(filters).some((values) => values.length);
  const heading = h("h1", { tabindex: "-1" }, "Search ATN Hub");
  if (!hasQuery) {
    return {
      title: "Search", focus: input,
      nodes: [heading, form, h("p", {}, "Search what the societies of the network share: practices that work, " +
        "focal points and training materials. Sign in to see what is shared within the network and to publish.")],
    };
  }
  let result;
  try {
    result = (await api("search", { query: { q, sort, page, page_size: PAGE_SIZE, ...filters } })).data;
  } catch (error) {
    if (!(error instanceof ApiError) || error.status !== 400 && error.status !== 422) throw error;
    const messages = Object.values(error.fields).flat();
    return {
      title: "Search", focus: input,
      nodes: [heading, form, h("p", { class: "error", role: "alert", id: "search-error" }, messages.length ? messages.join(" ") : error.message)],
    };
  }
  const labels = await labelsOfTopics(api);
  const resultsHeading = h("h2", { id: "results-heading", tabindex: "-1" },
    `${result.total} ${result.total === 1 ? "result" : "results"}`, q ? ` for “${q}”` : "");
  const active = FACETS.flatMap(([name, label]) => filters[name].map((value) =>
    h("li", {}, h("a", { class: "chip", href: urlWith(query, { [name]: filters[name].filter((v) => v !== value) }) },
      `${label}: ${facetLabel(name, value, labels)}`, h("span", { class: "visually-hidden" }, " (remove filter)"), " ×"))));
  const facets = h("aside", { class: "facets", "aria-label": "Filters" },
    h("h2", {}, "Filter"),
    FACETS.map(([name, label]) => {
      const counts = Object.entries(result.facets?.[name] || {}).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
      if (!counts.length) return null;
      return h("section", { class: "facet" }, h("h3", {}, label), h("ul", {}, counts.slice(0, 12).map(([value, count]) => {
        const selected = filters[name].includes(value);
        const values = selected ? filters[name].filter((v) => v !== value) : [...filters[name], value];
        return h("li", {}, h("a", { href: urlWith(query, { [name]: values }), "aria-current": selected ? "true" : null },
          facetLabel(name, value, labels), " ", h("span", { class: "count" }, `(${count})`)));
      })));
    }));
  const suggestion = result.suggestion
    ? h("p", { class: "suggestion" }, "Did you mean ", h("a", { href: urlWith(query, { q: result.suggestion }) }, result.suggestion), "?")
    : null;
  const hits = h("ol", { class: "hits", start: (page - 1) * PAGE_SIZE + 1 }, result.hits.map((hit) =>
    h("li", { class: "hit" },
      h("h3", {}, h("a", { href: `/${TYPE_PATHS[hit.type]}/${hit.id}` }, hit.title)),
      h("p", { class: "meta" }, [TYPE_LABELS[hit.type], hit.society && `society ${hit.society}`, (hit.countries || []).join(", "),
        hit.language, hit.updated_at && `updated ${formatDate(hit.updated_at)}`].filter(Boolean).join(" · ")),
      hit.snippet ? h("p", { class: "snippet" }, snippetNodes(hit.snippet)) : null)));
  const pages = Math.max(1, Math.ceil(result.total / PAGE_SIZE));
  const pager = pages > 1 ? h("nav", { class: "pager", "aria-label": "Pages of results" },
    page > 1 ? h("a", { href: urlWith(query, { page: page - 1 === 1 ? null : String(page - 1) }), rel: "prev" }, "‹ Previous") : null,
    h("span", {}, `Page ${page} of ${pages}`),
    page < pages ? h("a", { href: urlWith(query, { page: String(page + 1) }), rel: "next" }, "Next ›") : null) : null;
  return {
    title: q ? `“${q}”` : "Search",
    focus: resultsHeading,
    announce: `${result.total} results`,
    nodes: [heading, form,
      active.length ? h("ul", { class: "active-filters", "aria-label": "Active filters" }, active) : null,
      h("div", { class: "search-layout" },
        h("section", { class: "results", "aria-labelledby": "results-heading" }, resultsHeading, suggestion,
          result.hits.length ? hits : h("p", {}, "Nothing found. Try other words, or fewer filters."), pager),
        facets)].filter(Boolean),
  };
}
