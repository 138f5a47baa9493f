// SLA timers: how much of the time to the ticket's expected answer is used. Amber once
// 75% is used, red when it is overdue; a ticket answered (or closed) has no timer.
import { el } from "../shared/dom.js";
import { dateTime } from "../shared/format.js";

export const AMBER_AT = 0.75;
export const RULE = "Green while less than 75% of the time to the expected answer is used, amber from 75%, red when overdue.";

/** {level: "ok" | "amber" | "red", left: ms (negative: overdue), due: ms} or null when the
 * ticket has no running timer. */
export function slaState(ticket, now) {
  if (!ticket || !ticket.expected_response || ticket.first_response_at || ticket.status === "closed") return null;
  const due = Date.parse(ticket.expected_response);
  const created = Date.parse(ticket.created_at);
  if (!Number.isFinite(due) || !Number.isFinite(created)) return null;
  const total = Math.max(due - created, 1);
  const used = (now - created) / total;
  const left = due - now;
  const level = left <= 0 ? "red" : used >= AMBER_AT ? "amber" : "ok";
  return { level, left, due };
}

/** "45 min", "3 h 5 min", "2 d 4 h" */
export function span(ms) {
  const minutes = Math.max(0, Math.round(Math.abs(ms) / 60000));
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `${hours} h${minutes % 60 ? ` ${minutes % 60} min` : ""}`;
  return `${Math.floor(hours / 24)} d${hours % 24 ? ` ${hours % 24} h` : ""}`;
}

export function slaText(state) {
  return state.left <= 0 ? `overdue ${span(state.left)}` : `${span(state.left)} left`;
}

/** The badge for a ticket, or null: its colour, the time left and the rule in its title. */
export function slaBadge(ticket, now) {
  const state = slaState(ticket, now);
  if (!state) return null;
  const label = { ok: "on time", amber: "due soon", red: "overdue" }[state.level];
  return el(
    "span",
    {
      class: `sla sla-${state.level}`,
      "data-sla": state.level,
      title: `Answer expected by ${dateTime(ticket.expected_response)} (${label}). ${RULE}`,
    },
    slaText(state),
  );
}
