// What a ticket record says, the same for every pane.
import { el } from "../shared/dom.js";

/** A live chat this agent holds. */
export function isMine(ticket, me) {
  return Boolean(
    ticket && me && ticket.assignee && ticket.assignee.id === me.id &&
      (ticket.status === "in_progress" || ticket.status === "waiting"),
  );
}

export function customerName(ticket) {
  const customer = (ticket && ticket.customer) || {};
  return typeof customer.name === "string" && customer.name.trim() ? customer.name.trim() : "";
}

export function priorityBadge(priority) {
  return el("span", { class: `prio prio-${String(priority || "normal").replace(/[^a-z_]/g, "")}` }, String(priority || "normal"));
}
