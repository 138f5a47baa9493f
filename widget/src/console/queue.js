// The sidebar's ticket lists: the queue (waiting for an agent), my chats and the team's
// chats, with unread counts, SLA timers, the page title and the queue's flash when
// someone new waits; each list shows what passes the search and filters. It keeps the
// newest record seen of every ticket, for the panes that need one before it loads.
import { byId, el } from "../shared/dom.js";
import { dateTime, waitingText } from "../shared/format.js";
import { languageName } from "./labels.js";
import { PAGE_TITLE } from "./session.js";
import { KEYS, load, save } from "./storage.js";
import { slaBadge } from "./sla.js";
import { customerName, isMine, priorityBadge } from "./tickets.js";

/**
 * session: who is logged in
 * notice: the notice bar
 * onOpen(number), onClaim(number): the agent picked a ticket, or pressed its Claim
 * filters: filters.js (which tickets to show); now(): the server's time (clock.js)
 */
export function createQueue({ session, notice, onOpen, onClaim, filters, now }) {
  const ui = {};
  for (const id of [
    "app", "queue", "queue-heading", "queue-count", "queue-empty", "mine", "mine-count", "mine-empty",
    "team-chats", "team-chats-count", "team-chats-empty",
  ]) {
    ui[id] = byId(id);
  }
  const board = {
    records: new Map(), // number -> newest ticket record seen
    queue: [],
    mine: [],
    team: [], // the other agents' live chats
    unread: {}, // number -> customer messages not yet seen, for my chats
    seenQueue: null, // numbers seen in the queue; null until the first snapshot
    maxChats: null,
    active: null, // the number of the open conversation
  };
  let flashWhenVisible = false;

  function reset() {
    board.records.clear();
    board.queue = [];
    board.mine = [];
    board.team = [];
    board.unread = {};
    board.seenQueue = null;
    board.active = null;
    render();
  }

  /** The snapshot's lists; unread counts kept only for chats that are still mine. */
  function loadSnapshot(snapshot) {
    board.maxChats = Number.isFinite(snapshot.max_chats) ? snapshot.max_chats : null;
    board.mine = Array.isArray(snapshot.mine) ? snapshot.mine : [];
    for (const ticket of board.mine) board.records.set(ticket.number, ticket);
    board.team = Array.isArray(snapshot.team) ? snapshot.team : [];
    for (const ticket of board.team) board.records.set(ticket.number, ticket);
    const unread = loadUnread();
    board.unread = {};
    for (const ticket of board.mine) if (unread[ticket.number] > 0) board.unread[ticket.number] = unread[ticket.number];
    save(KEYS.unread, board.unread);
    onQueue({ tickets: Array.isArray(snapshot.queue) ? snapshot.queue : [] });
    renderMine();
    renderTeam();
  }

  function onQueue(event) {
    const tickets = event && Array.isArray(event.tickets) ? event.tickets : [];
    board.queue = tickets;
    for (const ticket of tickets) board.records.set(ticket.number, ticket);
    const numbers = tickets.map((t) => t.number);
    if (board.seenQueue === null) {
      board.seenQueue = new Set(numbers);
    } else {
      const fresh = numbers.filter((n) => !board.seenQueue.has(n));
      for (const n of fresh) board.seenQueue.add(n);
      if (fresh.length) flash();
    }
    renderQueue();
    updateTitle();
  }

  /** A ticket record changed: it joins, moves within or leaves the lists. */
  function applyTicket(ticket) {
    const previous = board.records.get(ticket.number);
    board.records.set(ticket.number, ticket);
    const me = session.me;
    const index = board.mine.findIndex((t) => t.number === ticket.number);
    if (isMine(ticket, me)) {
      if (index >= 0) board.mine[index] = ticket;
      else {
        board.mine.push(ticket);
        board.mine.sort((a, b) => String(a.claimed_at || "").localeCompare(String(b.claimed_at || "")));
        const from = previous && previous.assignee && previous.assignee.id !== me.id ? previous.assignee.name : null;
        if (from) notice.show(`${ticket.number} was transferred to you.`, "info");
      }
    } else if (index >= 0) {
      board.mine.splice(index, 1);
      if (board.unread[ticket.number]) {
        delete board.unread[ticket.number];
        save(KEYS.unread, board.unread);
      }
    }
    const others = board.team.findIndex((t) => t.number === ticket.number);
    const theirs = ticket.assignee && (!me || ticket.assignee.id !== me.id) && ["in_progress", "waiting"].includes(ticket.status);
    if (theirs) {
      if (others >= 0) board.team[others] = ticket;
      else board.team.unshift(ticket);
    } else if (others >= 0) board.team.splice(others, 1);
    const queued = board.queue.findIndex((t) => t.number === ticket.number);
    if (queued >= 0) {
      if (ticket.status === "open" && !ticket.assignee) board.queue[queued] = ticket;
      else board.queue.splice(queued, 1);
    }
    render();
  }

  /** A customer wrote in one of my chats that is not open. */
  function countUnread(message) {
    const ticket = board.mine.find((t) => t.conversation_id === message.conversation_id);
    if (!ticket) return;
    board.unread[ticket.number] = (board.unread[ticket.number] || 0) + 1;
    save(KEYS.unread, board.unread);
    renderMine();
    updateTitle();
  }

  function clearUnread(number) {
    if (!board.unread[number]) return;
    delete board.unread[number];
    save(KEYS.unread, board.unread);
    renderMine();
    updateTitle();
  }

  /** The open conversation's item is highlighted in every list. */
  function markActive(number) {
    board.active = number || null;
    for (const item of document.querySelectorAll(".ticket-list .ticket")) {
      const active = item.getAttribute("data-ticket") === board.active;
      item.classList.toggle("active", active);
      if (active) item.setAttribute("aria-current", "true");
      else item.removeAttribute("aria-current");
    }
  }

  /** A record seen elsewhere (a customer's earlier tickets), unless a newer one is known. */
  function remember(ticket) {
    if (!board.records.has(ticket.number)) board.records.set(ticket.number, ticket);
  }

  function flash() {
    const heading = ui["queue-heading"];
    heading.classList.remove("flash");
    void heading.offsetWidth; // restart the animation
    heading.classList.add("flash");
    // In a background tab nobody sees it: play it again when the agent comes back.
    if (document.hidden) flashWhenVisible = true;
  }

  function updateTitle() {
    const unread = Object.values(board.unread).reduce((sum, n) => sum + (Number(n) || 0), 0);
    const count = board.queue.length + unread;
    document.title = count > 0 ? `(${count}) ${PAGE_TITLE}` : PAGE_TITLE;
  }

  function ticketItem(ticket, kind) {
    const current = board.active === ticket.number;
    // A list item holding buttons (open it, claim it), not a button holding a button: the
    // whole card takes a click, the keyboard reaches the two buttons.
    const item = el("li", {
      class: `ticket${current ? " active" : ""}`,
      "data-ticket": ticket.number,
      "aria-current": current ? "true" : null,
    });
    const top = el("div", { class: "ticket-top" });
    top.append(priorityBadge(ticket.priority), el("span", { class: "ticket-number" }, ticket.number));
    if (ticket.language) top.append(el("span", { class: "lang", title: languageName(ticket.language) }, String(ticket.language).toUpperCase()));
    const sla = slaBadge(ticket, now());
    if (sla) top.append(sla);
    if (kind === "queue") {
      top.append(el("span", { class: "wait", title: `Waiting since ${dateTime(ticket.created_at)}` }, waitingText(ticket.created_at, now())));
    } else if (kind === "mine") {
      const unread = board.unread[ticket.number] || 0;
      if (ticket.status === "waiting") top.append(el("span", { class: "mini-status" }, "waiting"));
      if (unread > 0) top.append(el("span", { class: "unread", "aria-label": `${unread} unread` }, String(unread)));
    }
    const title = el("button", { type: "button", class: "ticket-title ticket-open", "aria-label": `${ticket.number}: ${ticket.title || "(no title)"}` }, String(ticket.title || "(no title)"));
    item.append(top, title);
    const bottom = el("div", { class: "ticket-bottom" });
    bottom.append(el("span", { class: "ticket-customer" }, customerName(ticket) || "Anonymous visitor"));
    if (kind === "team" && ticket.assignee) bottom.append(el("span", { class: "ticket-holder" }, ticket.assignee.name || "Agent"));
    if (kind === "queue") bottom.append(el("button", { type: "button", class: "claim btn btn-small btn-primary" }, "Claim"));
    item.append(bottom);
    return item;
  }

  /** A list's items that pass the filters, and its "none" line. */
  function renderSection(list, empty, tickets, kind, none) {
    const shown = tickets.filter((t) => filters.matches(t));
    renderList(list, shown.map((t) => ticketItem(t, kind)));
    empty.hidden = shown.length > 0;
    empty.textContent = tickets.length ? `None of ${tickets.length} match the filters.` : none;
    return shown.length;
  }

  /** "3", or "2 of 3" while filters hide some. */
  const counted = (shown, all, max) => `${shown === all ? "" : `${shown} of `}${all}${max ? `/${max}` : ""}`;

  function renderQueue() {
    const shown = renderSection(ui.queue, ui["queue-empty"], board.queue, "queue", "No one is waiting.");
    ui["queue-count"].textContent = counted(shown, board.queue.length);
  }

  function renderMine() {
    const shown = renderSection(ui.mine, ui["mine-empty"], board.mine, "mine", "No chats claimed yet.");
    ui["mine-count"].textContent = counted(shown, board.mine.length, board.maxChats);
  }

  function renderTeam() {
    const shown = renderSection(ui["team-chats"], ui["team-chats-empty"], board.team, "team", "No one else is chatting.");
    ui["team-chats-count"].textContent = counted(shown, board.team.length);
  }

  function render() {
    renderQueue();
    renderMine();
    renderTeam();
    updateTitle();
  }

  /** The clock moved on: SLA timers and waiting times change in place (the cards stay,
   * and so does the keyboard focus on them). */
  function tick() {
    for (const item of document.querySelectorAll(".ticket-list .ticket[data-ticket]")) {
      const ticket = board.records.get(item.getAttribute("data-ticket"));
      if (!ticket) continue;
      const old = item.querySelector(".sla");
      const badge = slaBadge(ticket, now());
      if (old && badge) old.replaceWith(badge);
      else if (old) old.remove();
      else if (badge) item.querySelector(".ticket-top").append(badge);
      const wait = item.querySelector(".wait");
      if (wait) {
        wait.textContent = waitingText(ticket.created_at, now());
        if (badge) wait.before(badge);
      }
    }
  }

  /** The tickets on screen, top to bottom: what "next chat" walks through. */
  function visible() {
    return [...document.querySelectorAll(".ticket-list .ticket[data-ticket]")].map((n) => n.getAttribute("data-ticket"));
  }

  function onListClick(event) {
    const item = event.target.closest(".ticket[data-ticket]");
    if (!item) return;
    const number = item.getAttribute("data-ticket");
    if (event.target.closest("button.claim")) {
      event.stopPropagation();
      onClaim(number);
      return;
    }
    onOpen(number);
  }

  for (const list of [ui.queue, ui.mine, ui["team-chats"]]) {
    list.addEventListener("click", onListClick);
  }
  document.addEventListener("visibilitychange", () => {
    if (!document.hidden && flashWhenVisible) {
      flashWhenVisible = false;
      flash();
    }
  });

  return {
    reset,
    loadSnapshot,
    onQueue,
    applyTicket,
    countUnread,
    clearUnread,
    markActive,
    remember,
    render,
    tick,
    visible,
    /** The first ticket in the queue that passes the filters. */
    firstWaiting: () => (board.queue.find((t) => filters.matches(t)) || {}).number || null,
    record: (number) => board.records.get(number) || null,
    has: (number) => board.records.has(number),
    get mine() {
      return board.mine;
    },
  };
}

function loadUnread() {
  const unread = load(KEYS.unread, {});
  return unread && typeof unread === "object" ? unread : {};
}

/** Replaces the list's items, keeping the nodes of items that look the same (no churn
 * under the agent's pointer while the team works). */
function renderList(list, items) {
  const old = new Map();
  for (const node of list.children) old.set(node.getAttribute("data-ticket"), node);
  const nodes = items.map((node) => {
    const previous = old.get(node.getAttribute("data-ticket"));
    return previous && previous.isEqualNode(node) ? previous : node;
  });
  nodes.forEach((node, index) => {
    if (list.children[index] !== node) list.insertBefore(node, list.children[index] || null);
  });
  while (list.children.length > nodes.length) list.lastElementChild.remove();
}
