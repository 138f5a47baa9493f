// The sidebar's ticket lists: the queue (waiting for an agent) and my chats, with unread
// counts, the page title and the queue's flash when someone new waits. It keeps the
// newest record seen of every ticket, for the panes that need one before it loads.
import { byId, el } from "../shared/dom.js";
import { dateTime, waitingText } from "../shared/format.js";
import { languageName } from "./labels.js";
import { PAGE_TITLE } from "./session.js";
import { KEYS, load, save } from "./storage.js";
import { customerName, isMine, priorityBadge } from "./tickets.js";

/**
 * session: who is logged in
 * notice: the notice bar
 * onOpen(number), onClaim(number): the agent picked a ticket, or pressed its Claim
 */
export function createQueue({ session, notice, onOpen, onClaim }) {
  const ui = {};
  for (const id of ["app", "queue", "queue-heading", "queue-count", "queue-empty", "mine", "mine-count", "mine-empty"]) ui[id] = byId(id);
  const board = {
    records: new Map(), // number -> newest ticket record seen
    queue: [],
    mine: [],
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
    const unread = loadUnread();
    board.unread = {};
    for (const ticket of board.mine) if (unread[ticket.number] > 0) board.unread[ticket.number] = unread[ticket.number];
    save(KEYS.unread, board.unread);
    onQueue({ tickets: Array.isArray(snapshot.queue) ? snapshot.queue : [] });
    renderMine();
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
    const item = el("li", {
      class: `ticket${current ? " active" : ""}`,
      "data-ticket": ticket.number,
      tabindex: "0",
      role: "button",
      "aria-current": current ? "true" : null,
    });
    const top = el("div", { class: "ticket-top" });
    top.append(priorityBadge(ticket.priority), el("span", { class: "ticket-number" }, ticket.number));
    if (ticket.language) top.append(el("span", { class: "lang", title: languageName(ticket.language) }, String(ticket.language).toUpperCase()));
    if (kind === "queue") {
      top.append(el("span", { class: "wait", title: `Waiting since ${dateTime(ticket.created_at)}` }, waitingText(ticket.created_at)));
    } else {
      const unread = board.unread[ticket.number] || 0;
      if (ticket.status === "waiting") top.append(el("span", { class: "mini-status" }, "waiting"));
      if (unread > 0) top.append(el("span", { class: "unread", "aria-label": `${unread} unread` }, String(unread)));
    }
    item.append(top, el("div", { class: "ticket-title" }, String(ticket.title || "(no title)")));
    const bottom = el("div", { class: "ticket-bottom" });
    bottom.append(el("span", { class: "ticket-customer" }, customerName(ticket) || "Anonymous visitor"));
    if (kind === "queue") bottom.append(el("button", { type: "button", class: "claim btn btn-small btn-primary" }, "Claim"));
    item.append(bottom);
    return item;
  }

  function renderQueue() {
    renderList(ui.queue, board.queue.map((t) => ticketItem(t, "queue")));
    ui["queue-empty"].hidden = board.queue.length > 0;
    ui["queue-count"].textContent = String(board.queue.length);
  }

  function renderMine() {
    renderList(ui.mine, board.mine.map((t) => ticketItem(t, "mine")));
    ui["mine-empty"].hidden = board.mine.length > 0;
    ui["mine-count"].textContent = board.maxChats ? `${board.mine.length}/${board.maxChats}` : String(board.mine.length);
  }

  function render() {
    renderQueue();
    renderMine();
    updateTitle();
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

  function onListKey(event) {
    if (event.key !== "Enter" && event.key !== " ") return;
    if (event.target.closest("button")) return;
    const item = event.target.closest(".ticket[data-ticket]");
    if (!item) return;
    event.preventDefault();
    onOpen(item.getAttribute("data-ticket"));
  }

  for (const list of [ui.queue, ui.mine]) {
    list.addEventListener("click", onListClick);
    list.addEventListener("keydown", onListKey);
  }
  document.addEventListener("visibilitychange", () => {
    if (!document.hidden && flashWhenVisible) {
      flashWhenVisible = false;
      flash();
    }
  });
  // The waiting times grow while nothing else changes.
  setInterval(() => {
    if (!ui.app.hidden && board.queue.length) renderQueue();
  }, 30000);

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
