// Reports for admins: a view in place of the conversation over the last 7, 30 or 90 days:
// knowledge-base answers per language (confirmed, left without asking more, shown but not
// helpful), first response and resolution per priority, CSAT per agent, conversations per
// day. Every figure is defined in docs/api.md; all text goes in as text nodes.
import { byId, el } from "../shared/dom.js";
import { humanize, number, percent } from "../shared/format.js";
import { languageName } from "./labels.js";

const LANGUAGE_COLUMNS = [
  ["conversations", "Conversations", number],
  ["articles_shown", "Article shown", number],
  ["kb_confirmed", "Confirmed", number],
  ["kb_left_without_more", "Left without asking more", number],
  ["kb_not_helpful", "Shown, not helpful", number],
  ["answered_by_kb", "Answered by KB", percent],
  ["handed_off", "Handed off", percent],
  ["tickets", "Tickets", number],
];

const PRIORITY_COLUMNS = [
  ["tickets", "Tickets", number],
  ["first_response_median_minutes", "First reply median (min)", number],
  ["first_response_p90_minutes", "First reply p90 (min)", number],
  ["awaiting_first_response", "No reply yet", number],
  ["resolution_median_minutes", "Resolution median (min)", number],
  ["resolution_p90_minutes", "Resolution p90 (min)", number],
  ["unresolved", "Not closed", number],
];

const AGENT_COLUMNS = [
  ["ratings", "Ratings", number],
  ["average", "Average (of 5)", (v) => (v == null ? "—" : Number(v).toFixed(2))],
  ["good_share", "Good (4–5)", percent],
];

let tables = 0;

/** A section with a heading that names its table, and a note under the heading. */
function tableSection(title, note, columns, rows, rowHeader) {
  const id = `report-h-${++tables}`;
  const table = el("table", { class: "report-table", "aria-labelledby": id });
  const head = el("tr", {}, el("th", { scope: "col" }, rowHeader));
  for (const [, label] of columns) head.append(el("th", { scope: "col", class: "num" }, label));
  table.append(el("thead", {}, head));
  const body = el("tbody");
  for (const { label, data, total } of rows) {
    const tr = el("tr", { class: total ? "total" : null });
    tr.append(el("th", { scope: "row" }, label));
    for (const [key, , format] of columns) tr.append(el("td", { class: "num" }, format(data[key])));
    body.append(tr);
  }
  table.append(body);
  return el(
    "section",
    { class: "report-section" },
    el("h2", { id }, title),
    note ? el("p", { class: "muted report-note" }, note) : null,
    // Scrolls sideways on a phone: a named region a keyboard can reach and scroll.
    el("div", { class: "table-wrap", role: "region", tabindex: "0", "aria-labelledby": id }, table),
  );
}

function minutes(value) {
  return value == null ? "—" : `${value} min`;
}

export function renderReport(report) {
  const wrap = el("div", { class: "report" });
  const total = report.total || {};
  const kpi = (label, value) => el("div", { class: "kpi" }, el("div", { class: "kpi-value" }, value), el("div", { class: "kpi-label" }, label));
  wrap.append(
    el(
      "div",
      { class: "kpis" },
      kpi("Conversations", number(total.conversations)),
      kpi("Answered by KB", percent(total.answered_by_kb)),
      kpi("Article shown, not helpful", number(total.kb_not_helpful)),
      kpi("Handed off", percent(total.handed_off)),
      kpi("Median first response", minutes(total.median_first_response_minutes)),
      kpi("CSAT", total.csat == null ? "—" : `${Number(total.csat).toFixed(2)} / 5`),
    ),
  );

  const perLanguage = report.per_language && typeof report.per_language === "object" ? report.per_language : {};
  const languageRows = [{ label: "Total", data: total, total: true }];
  for (const [lang, section] of Object.entries(perLanguage)) {
    languageRows.push({ label: `${languageName(lang)} (${lang})`, data: section || {} });
  }
  wrap.append(
    tableSection(
      "Knowledge base answers by language",
      "Answered by KB counts only conversations where the customer confirmed the article or left without asking for more after it (no further message, no ticket). Article shown = confirmed + left without asking more + shown, not helpful.",
      LANGUAGE_COLUMNS,
      languageRows,
      "Language",
    ),
  );

  const priorities = Array.isArray(report.per_priority) ? report.per_priority : [];
  wrap.append(
    tableSection(
      "Response times by priority",
      "First reply: ticket created to the first agent message. Resolution: created to closed. p90: 9 in 10 tickets took no longer.",
      PRIORITY_COLUMNS,
      priorities.map((row) => ({ label: humanize(row.priority), data: row })),
      "Priority",
    ),
  );

  const agents = Array.isArray(report.per_agent) ? report.per_agent : [];
  if (!agents.length) {
    wrap.append(
      el(
        "section",
        { class: "report-section" },
        el("h2", {}, "Customer satisfaction by agent"),
        el("p", { class: "muted" }, "No ratings in this period."),
      ),
    );
  } else {
    wrap.append(
      tableSection(
        "Customer satisfaction by agent",
        "Ratings customers gave after their chat was closed, by the agent who held it.",
        AGENT_COLUMNS,
        agents.map((row) => ({ label: row.agent_name || "No agent", data: row })),
        "Agent",
      ),
    );
  }

  const days = Array.isArray(report.per_day) ? report.per_day : [];
  const chart = el("section", { class: "report-section" }, el("h2", {}, "Conversations per day"));
  if (!days.length) {
    chart.append(el("p", { class: "muted" }, "No conversations in this period."));
  } else {
    const max = Math.max(1, ...days.map((d) => Number(d.conversations) || 0));
    const list = el("ul", { class: "bars", id: "report-days" });
    for (const day of days) {
      const value = Number(day.conversations) || 0;
      const bar = el("span", { class: "bar" });
      bar.style.width = `${Math.max(1, (value / max) * 100)}%`;
      list.append(
        el(
          "li",
          { class: "bar-row" },
          el("span", { class: "bar-label" }, String(day.day || "")),
          el("span", { class: "bar-track" }, bar),
          el("span", { class: "bar-value" }, String(value)),
        ),
      );
    }
    chart.append(list);
  }
  wrap.append(chart);
  return wrap;
}

/** call: an emit with an ack (connection.js) */
export function createReports({ call }) {
  const ui = {};
  for (const id of ["reports-button", "reports-view", "reports-days", "reports-close", "reports-body", "conversation", "details"]) ui[id] = byId(id);
  let open = false;

  /** Only admins see the Reports button. */
  function allow(allowed) {
    ui["reports-button"].hidden = !allowed;
  }

  async function show() {
    open = true;
    ui.conversation.hidden = true;
    ui.details.hidden = true;
    ui["reports-view"].hidden = false;
    ui["reports-button"].classList.add("active");
    await load();
  }

  async function load() {
    ui["reports-body"].replaceChildren(el("p", { class: "muted" }, "Loading…"));
    const days = Number(ui["reports-days"].value) || 30;
    const ack = await call("reports", { days });
    if (!open) return;
    if (!ack) {
      ui["reports-body"].replaceChildren(el("p", { class: "muted" }, "The report could not be loaded."));
      return;
    }
    ui["reports-body"].replaceChildren(renderReport(ack));
  }

  function close() {
    open = false;
    ui["reports-view"].hidden = true;
    ui.conversation.hidden = false;
    ui.details.hidden = false;
    ui["reports-button"].classList.remove("active");
  }

  ui["reports-button"].addEventListener("click", () => (open ? close() : show()));
  ui["reports-close"].addEventListener("click", close);
  ui["reports-days"].addEventListener("change", load);
  return { allow, close };
}
