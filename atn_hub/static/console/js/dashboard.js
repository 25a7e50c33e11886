// The network at a glance (GET /api/v1/stats): charts drawn as SVG with DOM calls (no HTML strings, no inline
// styles: the console's CSP), each followed by its table (what a screen reader reads) and a CSV download built
// here from the same numbers. Names, never codes; numbers and months in the reader's format.
import { ApiError } from "./api.js";
import { h, statusLabel, typeLabel } from "./dom.js";
import { countryName, currentLanguage, formatDate, formatNumber, languageName, t, topicLabel } from "./i18n.js";

const SVG = "http://www.w3.org/2000/svg";
const TYPES = ["practice", "contact", "training-material", "project"];
const HOURS = { maximumFractionDigits: 1 };

function svg(tag, attrs, ...children) {
  const el = document.createElementNS(SVG, tag);
  for (const [key, value] of Object.entries(attrs || {})) el.setAttribute(key, String(value));
  for (const child of children) el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  return el;
}

const monthLabel = (month) => formatDate(`${month}-01T00:00:00Z`, { year: "numeric", month: "short", timeZone: "UTC" });

// A horizontal bar chart: one row per category, its series side by side (grouped) or end to end (stacked).
// `rows`: [{ label, values: [number per series] }]; `series`: [{ name }].
function barChart(title, rows, series, { stacked = false, format = formatNumber } = {}) {
  const labelWidth = 170;
  const width = 640;
  const barArea = width - labelWidth - 70;
  const band = stacked || series.length === 1 ? 22 : 12 * series.length + 6;
  const height = Math.max(band, rows.length * (band + 8));
  const largest = Math.max(1, ...rows.map((row) => (stacked ? row.values.reduce((a, b) => a + b, 0) : Math.max(...row.values))));
  const scale = (value) => (value / largest) * barArea;
  const chart = svg("svg", { viewBox: `0 0 ${width} ${height}`, class: "chart", role: "img",
    "aria-label": t("dashboard.chart_label", { title }) });
  rows.forEach((row, r) => {
    const top = r * (band + 8);
    chart.append(svg("text", { x: labelWidth - 8, y: top + band / 2, class: "chart-label", "text-anchor": "end",
      "dominant-baseline": "middle" }, row.label));
    let x = labelWidth;
    row.values.forEach((value, s) => {
      const y = stacked || series.length === 1 ? top : top + 3 + s * 12;
      const thickness = stacked || series.length === 1 ? band : 10;
      const length = scale(value);
      const bar = svg("rect", { x, y, width: Math.max(length, value ? 1 : 0), height: thickness, class: `bar series-${s}` },
        svg("title", {}, `${row.label}, ${series[s].name}: ${format(value)}`));
      chart.append(bar);
      if (stacked) x += length;
    });
    const total = stacked ? row.values.reduce((a, b) => a + b, 0) : null;
    const end = stacked ? x : labelWidth + scale(Math.max(...row.values));
    chart.append(svg("text", { x: end + 6, y: top + band / 2, class: "chart-value", "dominant-baseline": "middle" },
      stacked ? format(total) : row.values.map(format).join(" / ")));
  });
  return chart;
}

function legend(series) {
  if (series.length < 2) return null;
  return h("ul", { class: "legend" }, series.map((item, s) => h("li", {}, h("span", { class: `swatch series-${s}` }), item.name)));
}

function csvCell(value) {
  const text = String(value ?? "");
  const safe = /^[=+\-@\t\r]/.test(text) ? `'${text}` : text; // a spreadsheet shows it, never runs it
  return /[",\n\r]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

// Hands the browser a CSV file made of the table's numbers (raw, not formatted: for spreadsheets).
function downloadCsv(name, header, rows) {
  const text = [header, ...rows].map((row) => row.map(csvCell).join(",")).join("\r\n") + "\r\n";
  const url = URL.createObjectURL(new Blob([text], { type: "text/csv;charset=utf-8" }));
  const link = h("a", { href: url, download: `atn-hub-${name}.csv`, hidden: true });
  document.body.append(link);
  link.click();
  link.remove();
  window.setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

// A table of the figures: `columns` [{ label, numeric? , format? }], `rows` [{ cells: [shown...], raw: [csv...] }].
function figureTable(id, caption, columns, rows) {
  return h("div", { class: "table-wrap" }, h("table", { class: "figures", id: `${id}-table` },
    h("caption", {}, caption),
    h("thead", {}, h("tr", {}, columns.map((column) => h("th", { scope: "col", class: column.numeric ? "number" : null }, column.label)))),
    h("tbody", {}, rows.map((row) => h("tr", { "data-key": row.raw[0] }, row.cells.map((cell, i) => (i === 0
      ? h("th", { scope: "row" }, cell)
      : h("td", { class: columns[i].numeric ? "number" : null, "data-value": row.raw[i] }, cell))))))));
}

// One figure: heading, chart (if any), legend, table, CSV download.
function figure(id, title, { chart = null, series = [], columns, rows, note = null }) {
  const headingId = `${id}-heading`;
  return h("section", { class: "figure", id, "aria-labelledby": headingId },
    h("h2", { id: headingId }, title),
    note ? h("p", { class: "hint" }, note) : null,
    rows.length ? [chart, legend(series), figureTable(id, t("dashboard.table_caption", { title }), columns, rows),
      h("button", { type: "button", class: "secondary", id: `${id}-csv`,
        onclick: () => downloadCsv(id, columns.map((c) => c.label), rows.map((row) => row.raw)) },
      t("dashboard.download_csv"), h("span", { class: "visually-hidden" }, ` (${title})`))]
      : h("p", {}, t("dashboard.nothing")));
}

function perMonthByType(id, title, items) {
  const months = [...new Set(items.map((item) => item.month))].sort();
  const count = (month, type) => items.find((item) => item.month === month && item.type === type)?.count || 0;
  const series = TYPES.map((type) => ({ name: typeLabel(type, { plural: true }) }));
  const rows = months.map((month) => {
    const values = TYPES.map((type) => count(month, type));
    const total = values.reduce((a, b) => a + b, 0);
    return { label: monthLabel(month), values, cells: [monthLabel(month), ...[...values, total].map((v) => formatNumber(v))],
      raw: [month, ...values, total] };
  });
  return figure(id, title, {
    chart: barChart(title, rows, series, { stacked: true }), series, rows,
    columns: [{ label: t("dashboard.month") }, ...series.map((s) => ({ label: s.name, numeric: true })),
      { label: t("dashboard.total"), numeric: true }],
  });
}

function simpleCounts(id, title, items, nameOf, { chart = false, key = "code", label }) {
  const rows = items.map((item) => ({ label: nameOf(item[key], item), values: [item.count],
    cells: [nameOf(item[key], item), formatNumber(item.count)], raw: [item[key], item.count] }));
  const series = [{ name: t("dashboard.records") }];
  return figure(id, title, {
    chart: chart ? barChart(title, rows, series) : null, series, rows,
    columns: [{ label }, { label: t("dashboard.records"), numeric: true }],
  });
}

function reviewTimes(items) {
  const title = t("dashboard.review_times");
  const series = [{ name: t("dashboard.median_hours") }, { name: t("dashboard.p90_hours") }];
  const hours = (value) => formatNumber(value, HOURS);
  const rows = items.map((item) => ({ label: monthLabel(item.month), values: [item.median_hours, item.p90_hours],
    cells: [monthLabel(item.month), formatNumber(item.decisions), hours(item.median_hours), hours(item.p90_hours)],
    raw: [item.month, item.decisions, item.median_hours, item.p90_hours] }));
  return figure("review-times", title, {
    chart: barChart(title, rows, series, { format: hours }), series, rows,
    note: t("dashboard.review_times_note"),
    columns: [{ label: t("dashboard.month") }, { label: t("dashboard.decisions"), numeric: true },
      { label: series[0].name, numeric: true }, { label: series[1].name, numeric: true }],
  });
}

function queueAge(queue) {
  const title = t("dashboard.queue_age");
  const series = [{ name: t("dashboard.submissions") }];
  const rows = queue.by_age.map((item) => ({ label: t(`dashboard.age.${item.bucket}`), values: [item.count],
    cells: [t(`dashboard.age.${item.bucket}`), formatNumber(item.count)], raw: [item.bucket, item.count] }));
  const note = queue.size
    ? t("dashboard.queue_summary", { count: queue.size, date: formatDate(queue.oldest_submitted_at) })
    : t("dashboard.queue_empty");
  return figure("queue-age", title, {
    chart: queue.size ? barChart(title, rows, series) : null, series, rows: queue.size ? rows : [], note,
    columns: [{ label: t("dashboard.waiting") }, { label: t("dashboard.submissions"), numeric: true }],
  });
}

async function topicsByCode(api) {
  const found = {};
  try {
    for (const topic of (await api("topics", { query: { page_size: 100 } })).data) found[topic.code] = topic;
  } catch {
    // labels are a nicety: codes are shown instead
  }
  return found;
}

function filterForm(query, navigate) {
  const type = h("select", { id: "dashboard-type", name: "type" },
    h("option", { value: "" }, t("dashboard.all_types")),
    TYPES.map((value) => h("option", { value, selected: query.get("type") === value }, typeLabel(value, { plural: true }))));
  const since = h("input", { type: "date", id: "dashboard-since", name: "since", value: query.get("since") || "" });
  const until = h("input", { type: "date", id: "dashboard-until", name: "until", value: query.get("until") || "" });
  const form = h("form", { class: "dashboard-filters", onsubmit: (event) => {
    event.preventDefault();
    const next = new URLSearchParams();
    for (const field of [type, since, until]) if (field.value) next.set(field.name, field.value);
    const text = next.toString();
    navigate(text ? `/dashboard?${text}` : "/dashboard");
  } },
  h("label", { for: "dashboard-type" }, t("dashboard.type")), " ", type, " ",
  h("label", { for: "dashboard-since" }, t("dashboard.since")), " ", since, " ",
  h("label", { for: "dashboard-until" }, t("dashboard.until")), " ", until, " ",
  h("button", { type: "submit" }, t("dashboard.apply")));
  return form;
}

export async function dashboardPage({ api, navigate, query }) {
  const title = t("dashboard.title");
  const heading = h("h1", { tabindex: "-1" }, title);
  const form = filterForm(query, navigate);
  const filters = {};
  for (const name of ["type", "society", "country", "since", "until"]) if (query.get(name)) filters[name] = query.get(name);
  let stats;
  try {
    stats = (await api("stats", { query: filters })).data;
  } catch (error) {
    if (!(error instanceof ApiError) || error.status !== 422) throw error;
    const messages = Object.values(error.fields).flat();
    return { title, nodes: [heading, form, h("p", { class: "error", role: "alert" }, messages.join(" ") || error.message)] };
  }
  const topics = await topicsByCode(api);
  const records = stats.records;
  const english = currentLanguage() === "en" ? null : "en";
  const nodes = [
    heading,
    h("p", {}, t(`dashboard.visibility.${stats.visibility}`, {
      society: records.by_society.find((item) => item.society === stats.society)?.name || stats.society || "" })),
    h("p", { class: "meta" }, t("dashboard.generated", { date: formatDate(stats.generated_at, { dateStyle: "medium", timeStyle: "short" }) })),
    form,
    h("p", { class: "dashboard-total", id: "dashboard-total" }, t("dashboard.total_records", { count: records.total })),
    perMonthByType("published-per-month", t("dashboard.published_per_month"), stats.published_per_month),
    // The review figures (coordinators') next: what a coordinator opens the page for.
    stats.submissions_per_month
      ? perMonthByType("submissions-per-month", t("dashboard.submissions_per_month"), stats.submissions_per_month) : null,
    stats.review_times ? reviewTimes(stats.review_times) : null,
    stats.queue ? queueAge(stats.queue) : null,
    simpleCounts("by-country", t("dashboard.by_country"), records.by_country, (code) => countryName(code),
      { chart: true, label: t("dashboard.country") }),
    simpleCounts("by-type", t("dashboard.by_type"), records.by_type, (type) => typeLabel(type, { plural: true }),
      { key: "type", label: t("dashboard.type") }),
    simpleCounts("by-status", t("dashboard.by_status"), records.by_status, (status) => statusLabel(status),
      { key: "status", label: t("dashboard.status") }),
    simpleCounts("by-society", t("dashboard.by_society"), records.by_society,
      (code, item) => h("span", { lang: english }, item.name || code), { key: "society", label: t("dashboard.society") }),
    simpleCounts("by-language", t("dashboard.by_language"), records.by_language, (code) => languageName(code),
      { label: t("dashboard.language") }),
    simpleCounts("by-topic", t("dashboard.by_topic"), records.by_topic,
      (code) => (topics[code] ? topicLabel(topics[code]) : code), { label: t("dashboard.topic") }),
    simpleCounts("contacts-past-review", t("dashboard.contacts_past_review"), stats.contacts_past_review,
      (code, item) => h("span", { lang: english }, item.name || code), { key: "society", label: t("dashboard.society") }),
    simpleCounts("missing-translation", t("dashboard.missing_translation", { language: languageName(stats.working_language) }),
      stats.missing_translation.filter((item) => item.count), (type) => typeLabel(type, { plural: true }),
      { key: "type", label: t("dashboard.type") }),
  ];
  return { title, nodes };
}
