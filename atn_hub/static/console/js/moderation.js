// The coordinators' queue: each submission with its diff and discussion; approve, request changes or reject
// with a comment (required to send back or reject, as the API says).
import { ApiError } from "./api.js";
import { announce, formatDate, h, TYPE_LABELS, TYPE_PATHS } from "./dom.js";
import { diffTable, discussion } from "./record.js";

const DECISIONS = [["approve", "Approve and publish"], ["request_changes", "Request changes"], ["reject", "Reject"]];

function reviewForm(api, item, navigate) {
  const prefix = `review-${item.id}`;
  const error = h("p", { class: "field-error", id: `${prefix}-error`, role: "alert" });
  const comment = h("textarea", { id: `${prefix}-comment`, name: "comment", rows: 3, "aria-describedby": `${prefix}-error` });
  const form = h("form", { class: "review", novalidate: true, onsubmit: async (event) => {
    event.preventDefault();
    const decision = form.querySelector("input[name=decision]:checked")?.value;
    const text = comment.value.trim();
    if (!decision) {
      error.textContent = "Choose a decision.";
      form.querySelector("input[name=decision]").focus();
      return;
    }
    if (decision !== "approve" && !text) {
      error.textContent = "A comment is required to request changes or reject: the society reads it.";
      comment.setAttribute("aria-invalid", "true");
      comment.focus();
      return;
    }
    try {
      await api(`${TYPE_PATHS[item.type]}/${item.record_id}/review`, { method: "POST", body: { decision, comment: text || null } });
      await navigate("/moderation", { replace: true });
      announce(`Decision recorded: ${decision.replace("_", " ")} for “${item.title}”.`);
    } catch (failure) {
      if (!(failure instanceof ApiError)) throw failure;
      error.textContent = [failure.message, ...Object.values(failure.fields).flat()].join(" ");
    }
  } },
  h("fieldset", {}, h("legend", {}, "Decision"),
    DECISIONS.map(([value, label]) => h("label", { class: "check" },
      h("input", { type: "radio", name: "decision", value }), " ", label))),
  h("label", { for: `${prefix}-comment` }, "Comment for the society"), comment, error,
  h("button", { type: "submit" }, "Record decision"));
  return form;
}

export async function moderationPage({ api, me, navigate, signIn, query }) {
  const heading = h("h1", { tabindex: "-1" }, "Moderation queue");
  if (!me || !me.scopes.includes("moderate")) {
    return { title: "Moderation", nodes: [heading, h("p", {}, "Coordinators review what societies submit here."),
      me ? h("p", {}, "Your account may not moderate.") : h("button", { type: "button", onclick: signIn }, "Sign in")] };
  }
  const page = Math.max(1, parseInt(query.get("page") || "1", 10) || 1);
  const { data: items, pagination } = await api("moderation/queue", { query: { page, page_size: 20 } });
  const total = pagination?.total ?? items.length;
  const list = items.map((item) => {
    const id = `item-${item.id}`;
    const who = item.submitted_by?.name || item.submitted_by?.client_id || "someone";
    return h("article", { class: "queue-item", "aria-labelledby": id },
      h("h2", { id }, h("a", { href: `/${TYPE_PATHS[item.type]}/${item.record_id}` }, item.title)),
      h("p", { class: "meta" }, [TYPE_LABELS[item.type], item.kind === "revision" ? "changes to a published record" : "new record",
        `society ${item.society}`, `submitted by ${who} on ${formatDate(item.submitted_at)}`,
        item.assignee ? `assigned to ${item.assignee.name}` : "unassigned"].join(" · ")),
      h("h3", {}, "Changes"), diffTable(item.diff),
      h("h3", {}, "Discussion"), discussion(item.discussion || []),
      reviewForm(api, item, navigate));
  });
  const pages = Math.max(1, pagination?.total_pages || 1);
  return {
    title: "Moderation",
    nodes: [heading, h("p", {}, `${total} ${total === 1 ? "submission awaits" : "submissions await"} review, oldest first.`),
      ...(list.length ? list : [h("p", {}, "Nothing to review.")]),
      pages > 1 ? h("nav", { class: "pager", "aria-label": "Pages of the queue" },
        page > 1 ? h("a", { href: `/moderation?page=${page - 1}` }, "‹ Previous") : null, h("span", {}, `Page ${page} of ${pages}`),
        page < pages ? h("a", { href: `/moderation?page=${page + 1}` }, "Next ›") : null) : null],
  };
}
