// Reports for admins: a view in place of the conversation with totals and per language,
// and conversations per day, over the last 7, 30 or 90 days.
import { byId, el } from "../shared/dom.js";
import { number, percent } from "../shared/format.js";
import { languageName } from "./labels.js";

const COLUMNS = [
  ["conversations", "Conversations", number],
  ["answered_by_kb", "Answered by KB", percent],
  ["handed_off", "Handed off", percent],
  ["tickets", "Tickets", number],
  ["median_first_response_minutes", "Median first response (min)", number],
  ["median_time_to_close_minutes", "Median time to close (min)", number],
];

function csat(section) {
  if (section.csat === null || section.csat === undefined) return "—";
  const count = Number(section.ratings) || 0;
  return `${Number(section.csat).toFixed(2)} / 5 (${count} rating${count === 1 ? "" : "s"})`;
}

function row(label, section, strong) {
  const tr = el("tr", { class: strong ? "total" : null });
  tr.append(el("th", { scope: "row" }, label));
  for (const [key, , format] of COLUMNS) tr.append(el("td", { class: "num" }, format(section[key])));
  tr.append(el("td", { class: "num" }, csat(section)));
  return tr;
}

export function renderReport(report) {
  const wrap = el("div", { class: "report" });
  const total = report.total || {};
  const kpis = el("div", { class: "kpis" });
  const kpi = (label, value) => el("div", { class: "kpi" }, el("div", { class: "kpi-value" }, value), el("div", { class: "kpi-label" }, label));
  kpis.append(
    kpi("Conversations", number(total.conversations)),
    kpi("Answered by KB", percent(total.answered_by_kb)),
    kpi("Handed off", percent(total.handed_off)),
    kpi("Tickets", number(total.tickets)),
    kpi("Median first response", total.median_first_response_minutes == null ? "—" : `${total.median_first_response_minutes} min`),
    kpi("CSAT", total.csat == null ? "—" : `${Number(total.csat).toFixed(2)} / 5`),
  );
  wrap.append(kpis);

  const table = el("table", { class: "report-table", id: "report-table" });
  const head = el("tr", {}, el("th", { scope: "col" }, "Language"));
  for (const [, label] of COLUMNS) head.append(el("th", { scope: "col", class: "num" }, label));
  head.append(el("th", { scope: "col", class: "num" }, "CSAT"));
  table.append(el("thead", {}, head));
  const body = el("tbody");
  body.append(row("Total", total, true));
  const perLanguage = report.per_language && typeof report.per_language === "object" ? report.per_language : {};
  for (const [lang, section] of Object.entries(perLanguage)) {
    body.append(row(`${languageName(lang)} (${lang})`, section || {}, false));
  }
  table.append(body);
  wrap.append(el("section", { class: "report-section" }, el("h2", {}, "By language"), el("div", { class: "table-wrap" }, table)));

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
