// The open conversation's header: what the ticket is and who holds it, and what the agent
// can do with it: claim, release, transfer, close with a resolution.
import { byId, el, setOptions } from "../shared/dom.js";
import { clockTime, humanize } from "../shared/format.js";
import { languageName, statusLabel } from "./labels.js";
import { isMine, priorityBadge } from "./tickets.js";

/**
 * session, call, notice, team (team.js), conversation (conversation.js)
 * hooks:
 *   applyTicket(ticket): a ticket record came with an ack
 *   open(number): open a ticket's conversation
 *   claimed(): the open chat was claimed: the composer shows it and takes the keyboard
 *   stopTyping(): the agent's typing indicator goes off before the chat changes hands
 */
export function createActions({ session, call, notice, team, conversation, hooks }) {
  const ui = {};
  for (const id of [
    "conv-title", "conv-priority", "conv-status", "conv-assignee", "conv-info",
    "claim", "release", "transfer-group", "transfer-to", "transfer", "close-group", "close-resolution", "close-ticket",
  ]) {
    ui[id] = byId(id);
  }

  function reset() {
    ui["close-resolution"].value = "";
  }

  function render(current) {
    const ticket = current.ticket;
    const me = session.me || {};
    ui["conv-title"].replaceChildren(
      el("span", { class: "conv-number" }, current.number),
      el("span", { class: "conv-title-text" }, ticket ? String(ticket.title || "(no title)") : "Loading…"),
    );
    if (!ticket) {
      for (const id of ["claim", "release", "transfer-group", "close-group"]) ui[id].hidden = true;
      return;
    }
    const badge = priorityBadge(ticket.priority);
    ui["conv-priority"].className = badge.className;
    ui["conv-priority"].textContent = badge.textContent;
    ui["conv-status"].textContent = statusLabel(ticket.status);
    ui["conv-status"].className = `status status-${ticket.status}`;
    const assignee = ticket.assignee;
    const holder = assignee ? (assignee.id === me.id ? "you" : assignee.name || "another agent") : "";
    ui["conv-assignee"].textContent = assignee
      ? `${ticket.status === "closed" ? "Handled by" : "Assigned to"} ${holder}`
      : "Unassigned";
    const info = [languageName(ticket.language)];
    if (ticket.service) info.push(humanize(ticket.service));
    if (ticket.created_at) info.push(`opened ${clockTime(ticket.created_at)}`);
    ui["conv-info"].textContent = info.join(" · ");

    const closed = ticket.status === "closed";
    const mine = isMine(ticket, session.me);
    const admin = me.role === "admin";
    ui.claim.hidden = closed || Boolean(assignee) || ticket.status !== "open";
    ui.release.hidden = closed || !assignee || !(mine || admin);
    ui["transfer-group"].hidden = closed || !assignee || !(mine || admin);
    ui["close-group"].hidden = closed || !(mine || !assignee || admin);
    renderTransferOptions();
  }

  /** Everyone the open chat can go to, with their status. */
  function renderTransferOptions() {
    const select = ui["transfer-to"];
    const previous = select.value;
    const current = conversation.current;
    const me = session.me;
    const holder = current && current.ticket && current.ticket.assignee ? current.ticket.assignee.id : null;
    const others = team.agents.filter((a) => a.id !== holder && (!me || a.id !== me.id || holder !== me.id));
    const options = [{ value: "", label: "Transfer to…" }];
    for (const agent of others) options.push({ value: agent.id, label: `${agent.name || "Agent"} (${team.status(agent)})` });
    setOptions(select, options, others.some((a) => a.id === previous) ? previous : "");
  }

  async function claim(number) {
    const ack = await call("claim", { ticket: number });
    if (!ack) return;
    if (ack.ticket) hooks.applyTicket(ack.ticket);
    const current = conversation.current;
    if (!current || current.number !== number) await hooks.open(number);
    else hooks.claimed();
  }

  async function release() {
    const current = conversation.current;
    if (!current) return;
    hooks.stopTyping();
    const ack = await call("release", { ticket: current.number });
    if (ack && ack.ticket) hooks.applyTicket(ack.ticket);
  }

  async function transfer() {
    const current = conversation.current;
    if (!current) return;
    const to = ui["transfer-to"].value;
    if (!to) {
      notice.show("Choose the agent to transfer the chat to.");
      ui["transfer-to"].focus();
      return;
    }
    hooks.stopTyping();
    const ack = await call("transfer", { ticket: current.number, to });
    if (ack && ack.ticket) {
      hooks.applyTicket(ack.ticket);
      const agent = team.agents.find((a) => a.id === to);
      notice.show(`${current.number} transferred to ${(agent && agent.name) || "the agent"}.`, "info");
    }
  }

  async function close() {
    const current = conversation.current;
    if (!current) return;
    const input = ui["close-resolution"];
    const resolution = input.value.trim();
    if (!resolution) {
      input.classList.add("invalid");
      input.focus();
      notice.show("Write a resolution before closing the ticket.");
      return;
    }
    input.classList.remove("invalid");
    hooks.stopTyping();
    ui["close-ticket"].disabled = true;
    const ack = await call("close", { ticket: current.number, resolution });
    ui["close-ticket"].disabled = false;
    if (ack && ack.ticket) {
      input.value = "";
      hooks.applyTicket(ack.ticket);
    }
  }

  ui.claim.addEventListener("click", () => conversation.current && claim(conversation.current.number));
  ui.release.addEventListener("click", release);
  ui.transfer.addEventListener("click", transfer);
  ui["close-ticket"].addEventListener("click", close);
  ui["close-resolution"].addEventListener("keydown", (event) => {
    if (event.key === "Enter") {
      event.preventDefault();
      close();
    }
  });
  ui["close-resolution"].addEventListener("input", () => ui["close-resolution"].classList.remove("invalid"));

  return { reset, render, renderTransferOptions, claim };
}
