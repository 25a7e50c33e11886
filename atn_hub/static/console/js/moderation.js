// The coordinators' queue: each submission with its diff and discussion; approve, request changes or reject
// with a comment (required to send back or reject, as the API says).
import { ApiError, explained } from "./api.js";
import { announce, formatDate, h, TYPE_PATHS, typeLabel } from "./dom.js";
import { formatNumber, t } from "./i18n.js";
import { diffTable, discussion } from "./record.js";

const DECISIONS = ["approve", "request_changes", "reject"];

function reviewForm(api, item, navigate) {
  const prefix = `review-${item.id}`;
  const error = h("p", { class: "field-error", id: `${prefix}-error`, role: "alert" });
  const comment = h("textarea", { id: `${prefix}-comment`, name: "comment", rows: 3, "aria-describedby": `${prefix}-error` });
  const form = h("form", { class: "review", novalidate: true, onsubmit: async (event) => {
    event.preventDefault();
    const decision = form.querySelector("input[name=decision]:checked")?.value;
    const text = comment.value.trim();
    if (!decision) {
      error.textContent = t("moderation.choose_decision");
      form.querySelector("input[name=decision]").focus();
      return;
    }
    if (decision !== "approve" && !text) {
      error.textContent = t("moderation.comment_required");
      comment.setAttribute("aria-invalid", "true");
      comment.focus();
      return;
    }
    try {
      await api(`${TYPE_PATHS[item.type]}/${item.record_id}/review`, { method: "POST", body: { decision, comment: text || null } });
      await navigate("/moderation", { replace: true });
      announce(t("moderation.recorded", { decision: t(`moderation.decision.${decision}`), title: item.title }));
    } catch (failure) {
      if (!(failure instanceof ApiError)) throw failure;
      error.replaceChildren(...explained(failure), ...Object.values(failure.fields).flat().map((message) => ` ${message}`));
    }
  } },
  h("fieldset", {}, h("legend", {}, t("moderation.decision")),
    DECISIONS.map((value) => h("label", { class: "check" },
      h("input", { type: "radio", name: "decision", value }), " ", t(`moderation.decision.${value}`)))),
  h("label", { for: `${prefix}-comment` }, t("moderation.comment")), comment, error,
  h("button", { type: "submit" }, t("moderation.record_decision")));
  return form;
}

// Who takes a submission: me, another coordinator (the select), or nobody. The page is rendered again where it
// is, focus on the item's heading, and the result said.
function assignForm(api, item, me, coordinators, navigate) {
  const prefix = `assign-${item.id}`;
  const error = h("p", { class: "error assign-error", id: `${prefix}-error`, role: "alert" });
  const mine = item.assignee?.user_id && item.assignee.user_id === me.user_id;
  const assign = async (assigneeId) => {
    let assigned;
    try {
      assigned = (await api(`moderation/queue/${item.id}/assign`, { method: "POST", body: { assignee_id: assigneeId } })).data;
    } catch (failure) {
      if (!(failure instanceof ApiError)) throw failure;
      error.replaceChildren(...explained(failure), ...Object.values(failure.fields).flat().map((message) => ` ${message}`));
      return;
    }
    await navigate(window.location.pathname + window.location.search, { replace: true, keepFocus: true });
    document.getElementById(`item-${item.id}`)?.focus();
    announce(assigned.assignee ? t("moderation.assign.done", { title: item.title, name: assigned.assignee.name })
      : t("moderation.assign.undone", { title: item.title }));
  };
  const others = coordinators.filter((person) => person.user_id !== item.assignee?.user_id);
  const select = others.length ? h("select", { id: `${prefix}-to`, "aria-describedby": `${prefix}-error` },
    others.map((person) => h("option", { value: person.user_id }, person.name))) : null;
  return h("div", { class: "assign" },
    mine ? null : h("button", { type: "button", class: "secondary", "aria-describedby": `item-${item.id}`,
      onclick: () => assign(me.user_id) }, t("moderation.assign.me")),
    select ? [h("label", { for: `${prefix}-to` }, t("moderation.assign.to")), select,
      h("button", { type: "button", class: "secondary", "aria-describedby": `item-${item.id}`,
        onclick: () => assign(select.value) }, t("moderation.assign.button"))] : null,
    item.assignee ? h("button", { type: "button", class: "secondary", "aria-describedby": `item-${item.id}`,
      onclick: () => assign(null) }, t("moderation.assign.none")) : null,
    error);
}

// The coordinators one may assign to (GET /api/v1/moderation/coordinators); none when it cannot be read.
async function loadCoordinators(api) {
  try {
    return (await api("moderation/coordinators")).data || [];
  } catch {
    return [];
  }
}

export async function moderationPage({ api, me, navigate, signIn, query }) {
  const heading = h("h1", { tabindex: "-1" }, t("moderation.heading"));
  if (!me || !me.scopes.includes("moderate")) {
    return { title: t("moderation.title"), nodes: [heading, h("p", {}, t("moderation.intro")),
      me ? h("p", {}, t("moderation.not_allowed")) : h("button", { type: "button", onclick: signIn }, t("common.sign_in"))] };
  }
  const page = Math.max(1, parseInt(query.get("page") || "1", 10) || 1);
  const [{ data: items, pagination }, coordinators] = await Promise.all([
    api("moderation/queue", { query: { page, page_size: 20 } }), loadCoordinators(api)]);
  const total = pagination?.total ?? items.length;
  const list = items.map((item) => {
    const id = `item-${item.id}`;
    const who = item.submitted_by?.name || item.submitted_by?.client_id || t("moderation.someone");
    return h("article", { class: "queue-item", "aria-labelledby": id },
      h("h2", { id, lang: item.languages?.[0] || null, tabindex: "-1" },
        h("a", { href: `/${TYPE_PATHS[item.type]}/${item.record_id}` }, item.title)),
      h("p", { class: "meta" }, [typeLabel(item.type),
        item.kind === "revision" ? t("moderation.kind.revision") : t("moderation.kind.new"),
        t("moderation.society", { society: item.society }),
        t("moderation.submitted", { name: who, date: formatDate(item.submitted_at) }),
        item.assignee ? t("moderation.assigned", { name: item.assignee.name }) : t("moderation.unassigned")].join(" · ")),
      assignForm(api, item, me, coordinators, navigate),
      h("h3", {}, t("moderation.changes")), diffTable(item.diff),
      h("h3", {}, t("moderation.discussion")), discussion(item.discussion || []),
      reviewForm(api, item, navigate));
  });
  const pages = Math.max(1, pagination?.total_pages || 1);
  return {
    title: t("moderation.title"),
    nodes: [heading, h("p", {}, t("moderation.waiting", { count: total })),
      ...(list.length ? list : [h("p", {}, t("moderation.nothing"))]),
      pages > 1 ? h("nav", { class: "pager", "aria-label": t("moderation.pages") },
        page > 1 ? h("a", { href: `/moderation?page=${page - 1}` }, t("common.previous")) : null,
        h("span", {}, t("common.page_of", { page: formatNumber(page), pages: formatNumber(pages) })),
        page < pages ? h("a", { href: `/moderation?page=${page + 1}` }, t("common.next")) : null) : null],
  };
}
