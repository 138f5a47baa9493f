// The agent console: queue, live chats, notes, ticket details and reports.
// Everything from the network is rendered with textContent: never as HTML.
import { io } from "socket.io-client";
import { byId, cssEscape, el, link, setOptions } from "./shared/dom.js";
import { clockTime, dateTime, fill, firstName, humanize, initials, stars, waitingText } from "./shared/format.js";
import { newId } from "./shared/ids.js";
import { Outbox, OutboxSender } from "./shared/outbox.js";
import { readJson, writeJson } from "./shared/storage.js";
import { languageName, statusLabel } from "./console/labels.js";
import { messageKey, messageNode, noteKey, noteNode } from "./console/transcript.js";
import { renderReport } from "./console/reports.js";

const TOKEN_KEY = "chatbot.agent_token";
const OUTBOX_KEY = "chatbot.agent_outbox";
const UNREAD_KEY = "chatbot.agent_unread";
const PRESENCE_KEY = "chatbot.agent_presence";
const OPEN_KEY = "chatbot.agent_open";
const ACK_TIMEOUT = 10000;
const TYPING_IDLE = 1500;
const MAX_TEXT = 4000;
const BASE_TITLE = "Console";

const ui = {};
for (const id of [
  "notice", "notice-text", "notice-close",
  "login", "login-form", "login-email", "login-password", "login-submit", "login-error",
  "app", "me", "me-role", "me-avatar", "presence", "logout", "connection",
  "queue", "queue-heading", "queue-count", "queue-empty",
  "mine", "mine-count", "mine-empty", "team", "reports-button",
  "conversation", "conv-empty", "conv-main", "conv-title", "conv-priority", "conv-status",
  "conv-assignee", "conv-info", "claim", "release", "transfer-group", "transfer-to", "transfer",
  "close-group", "close-resolution", "close-ticket", "transcript", "customer-typing",
  "composer", "canned", "note-toggle", "composer-hint", "reply-input", "reply-send",
  "details", "details-empty", "details-main", "ticket-form", "ticket-title", "ticket-fields",
  "ticket-priority", "ticket-save", "ticket-saved", "ticket-facts", "ticket-rating", "rating-panel",
  "customer-details", "customer-tickets", "kb-form", "kb-query", "kb-search", "kb-results",
  "reports-view", "reports-days", "reports-close", "reports-body",
]) {
  ui[id] = byId(id);
}

const state = {
  token: null,
  socket: null,
  me: null,
  queue: [],
  mine: [],
  agents: [], // from the snapshot: every enabled agent
  presence: null, // Map id -> {status, chats} from `presence` events (connected agents)
  canned: [],
  priorities: ["urgent", "vip", "high", "normal", "low"],
  maxChats: null,
  tickets: new Map(), // number -> newest ticket record seen
  unread: {},
  seenQueue: null, // numbers seen in the queue; null until the first snapshot
  current: null, // the open conversation
  reportsOpen: false,
};

// ---------------------------------------------------------------- storage

const load = (key, fallback) => readJson(sessionStorage, key, fallback);
const save = (key, value) => writeJson(sessionStorage, key, value);
const outbox = new Outbox(sessionStorage, OUTBOX_KEY);

// ---------------------------------------------------------------- notice bar

let noticeTimer = null;
function notice(message, kind = "error") {
  ui["notice-text"].textContent = String(message || "Something went wrong");
  ui.notice.dataset.kind = kind;
  ui.notice.hidden = false;
  clearTimeout(noticeTimer);
  if (kind === "info") noticeTimer = setTimeout(hideNotice, 8000);
}

function hideNotice() {
  ui.notice.hidden = true;
  clearTimeout(noticeTimer);
}

ui["notice-close"].addEventListener("click", hideNotice);

// ---------------------------------------------------------------- login / logout

function showLogin(message) {
  ui.app.hidden = true;
  ui.login.hidden = false;
  document.title = BASE_TITLE;
  ui["login-error"].hidden = !message;
  ui["login-error"].textContent = message || "";
  ui["login-password"].value = "";
  (ui["login-email"].value ? ui["login-password"] : ui["login-email"]).focus();
}

function showApp() {
  ui.login.hidden = true;
  ui.app.hidden = false;
  ui["login-error"].hidden = true;
  setConnection("connecting");
}

function loginError(message) {
  ui["login-error"].textContent = message;
  ui["login-error"].hidden = false;
}

ui["login-form"].addEventListener("submit", async (event) => {
  event.preventDefault();
  const email = ui["login-email"].value.trim();
  const password = ui["login-password"].value;
  if (!email || !password) {
    loginError("Enter your email and password.");
    return;
  }
  ui["login-submit"].disabled = true;
  ui["login-error"].hidden = true;
  try {
    const response = await fetch("/api/auth/login", {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify({ email, password }),
      credentials: "same-origin",
    });
    let data = null;
    try {
      data = await response.json();
    } catch {
      data = null;
    }
    if (!response.ok || !data || typeof data.token !== "string") {
      const error = (data && data.error) || {};
      if (response.status === 429 || error.code === "rate_limited") {
        const wait = Math.ceil(Number(response.headers.get("Retry-After")) || Number(error.retry_after) || 60);
        loginError(`Login blocked: too many attempts, wait ${wait} s.`);
      } else {
        loginError(error.message || `Login failed (HTTP ${response.status}).`);
      }
      return;
    }
    state.token = data.token;
    sessionStorage.setItem(TOKEN_KEY, data.token);
    if (data.agent) setMe(data.agent);
    ui["login-password"].value = "";
    start();
  } catch {
    loginError("Cannot reach the server. Check your connection and try again.");
  } finally {
    ui["login-submit"].disabled = false;
  }
});

ui.logout.addEventListener("click", async () => {
  const token = state.token;
  stopTyping();
  ui.logout.disabled = true;
  try {
    await fetch("/api/auth/logout", {
      method: "POST",
      headers: { Authorization: `Bearer ${token}` },
      credentials: "same-origin",
    });
  } catch {
    // the session expires on its own; this console forgets it either way
  } finally {
    ui.logout.disabled = false;
  }
  for (const key of [TOKEN_KEY, OUTBOX_KEY, UNREAD_KEY, PRESENCE_KEY, OPEN_KEY]) sessionStorage.removeItem(key);
  teardown();
  showLogin();
});

/** The server refused our session (expired, revoked, logged out elsewhere). */
function sessionEnded() {
  sessionStorage.removeItem(TOKEN_KEY);
  teardown();
  showLogin("Your session has ended. Please log in again.");
}

function teardown() {
  const socket = state.socket;
  state.socket = null;
  if (socket) socket.disconnect();
  stopSending();
  state.token = null;
  state.me = null;
  state.queue = [];
  state.mine = [];
  state.agents = [];
  state.presence = null;
  state.tickets.clear();
  state.unread = {};
  state.seenQueue = null;
  state.current = null;
  hideNotice();
  closeReports();
  showEmptyConversation();
  renderQueue();
  renderMine();
  renderTeam();
  updateTitle();
}

// ---------------------------------------------------------------- socket

function setConnection(kind) {
  const labels = { connecting: "Connecting…", online: "Connected", offline: "Connection lost: reconnecting…" };
  ui.connection.dataset.state = kind;
  ui.connection.textContent = labels[kind] || "";
}

function connect() {
  const socket = io(location.origin + "/agent", { transports: ["websocket"], auth: { token: state.token } });
  state.socket = socket;
  const on = (event, handler) =>
    socket.on(event, (...args) => {
      if (state.socket === socket) handler(...args);
    });
  on("connect", onConnect);
  on("disconnect", (reason) => {
    setConnection("offline");
    stopSending();
    ui["customer-typing"].hidden = true;
    typingOn = null;
    if (reason === "io server disconnect") {
      // The server ended it (e.g. logged out elsewhere): try once more; a dead session
      // answers with connect_error "unauthorized".
      setTimeout(() => state.socket === socket && socket.connect(), 1000);
    }
  });
  on("connect_error", (error) => {
    const code = error && error.data && error.data.code;
    if (code === "unauthorized") sessionEnded();
    else {
      setConnection("offline");
      if (!socket.active) setTimeout(() => state.socket === socket && socket.connect(), 3000);
    }
  });
  on("session", (session) => {
    if (session && session.agent) setMe(session.agent);
  });
  on("queue", onQueue);
  on("ticket", (ticket) => ticket && ticket.number && applyTicket(ticket));
  on("presence", onPresence);
  on("message", onMessage);
  on("note", onNote);
  on("typing", onTyping);
  // After a server-side outage: events may have been lost; the store has everything.
  on("resync", async () => {
    if (!(await loadSnapshot())) return;
    if (state.current) await openTicket(state.current.number, { refresh: true });
  });
}

async function onConnect() {
  setConnection("online");
  const socket = state.socket;
  const ok = await loadSnapshot();
  if (!ok || state.socket !== socket) return;
  const presence = load(PRESENCE_KEY, "online");
  if (presence === "away") {
    ui.presence.value = "away";
    call("presence", { status: "away" }, { quiet: true });
  }
  if (state.current) await openTicket(state.current.number, { refresh: true });
  else if (load(OPEN_KEY, null)) await openTicket(load(OPEN_KEY, null)); // after a reload
  if (state.socket === socket && socket.connected) startSending(socket);
}

/** Emit with an ack; returns the ack when ok, else shows the error and returns null. */
async function call(event, payload, { quiet = false } = {}) {
  const socket = state.socket;
  if (!socket || !socket.connected) {
    if (!quiet) notice("Not connected to the server; try again in a moment.");
    return null;
  }
  let ack;
  try {
    ack = await socket.timeout(ACK_TIMEOUT).emitWithAck(event, payload);
  } catch {
    if (!quiet && state.socket === socket) notice("The server did not answer in time; please try again.");
    return null;
  }
  if (state.socket !== socket) return null;
  if (ack && ack.ok) return ack;
  const error = (ack && ack.error) || { code: "internal_error", message: "Unexpected answer from the server." };
  if (error.code === "unauthorized") {
    sessionEnded();
    return null;
  }
  if (!quiet) notice(error.message || error.code);
  return null;
}

function setMe(agent) {
  state.me = agent;
  ui.me.textContent = agent.name || agent.email || "Agent";
  ui["me-role"].textContent = agent.role === "admin" ? "Administrator" : "Agent";
  ui["me-avatar"].textContent = initials(agent.name || agent.email);
  ui["reports-button"].hidden = agent.role !== "admin";
}

async function loadSnapshot() {
  const ack = await call("snapshot", {});
  if (!ack) return false;
  if (ack.me) setMe(ack.me);
  state.agents = Array.isArray(ack.agents) ? ack.agents : [];
  state.presence = null;
  state.canned = Array.isArray(ack.canned) ? ack.canned : [];
  if (Array.isArray(ack.priorities) && ack.priorities.length) state.priorities = ack.priorities;
  state.maxChats = Number.isFinite(ack.max_chats) ? ack.max_chats : null;
  state.mine = Array.isArray(ack.mine) ? ack.mine : [];
  for (const ticket of state.mine) state.tickets.set(ticket.number, ticket);
  // Unread counts only for chats that are still mine.
  const unread = load(UNREAD_KEY, {});
  state.unread = {};
  for (const ticket of state.mine) if (unread[ticket.number] > 0) state.unread[ticket.number] = unread[ticket.number];
  save(UNREAD_KEY, state.unread);
  // Outbox items written by another agent in this tab are not ours to send.
  outbox.write(outbox.items().filter((item) => !item.agent || item.agent === state.me.id));
  const me = state.agents.find((a) => state.me && a.id === state.me.id);
  if (me && (me.status === "online" || me.status === "away")) ui.presence.value = load(PRESENCE_KEY, me.status);
  onQueue({ tickets: Array.isArray(ack.queue) ? ack.queue : [] });
  renderMine();
  renderTeam();
  renderCanned();
  if (state.current) {
    renderConversation();
    renderDetails();
  }
  return true;
}

// ---------------------------------------------------------------- queue, mine, team

function isMine(ticket) {
  return Boolean(
    ticket && state.me && ticket.assignee && ticket.assignee.id === state.me.id &&
      (ticket.status === "in_progress" || ticket.status === "waiting"),
  );
}

function onQueue(event) {
  const tickets = event && Array.isArray(event.tickets) ? event.tickets : [];
  state.queue = tickets;
  for (const ticket of tickets) state.tickets.set(ticket.number, ticket);
  const numbers = tickets.map((t) => t.number);
  if (state.seenQueue === null) {
    state.seenQueue = new Set(numbers);
  } else {
    const fresh = numbers.filter((n) => !state.seenQueue.has(n));
    for (const n of fresh) state.seenQueue.add(n);
    if (fresh.length) flashQueue();
  }
  renderQueue();
  updateTitle();
}

let flashWhenVisible = false;
function flashQueue() {
  const heading = ui["queue-heading"];
  heading.classList.remove("flash");
  void heading.offsetWidth; // restart the animation
  heading.classList.add("flash");
  // In a background tab nobody sees it: play it again when the agent comes back.
  if (document.hidden) flashWhenVisible = true;
}

document.addEventListener("visibilitychange", () => {
  if (!document.hidden && flashWhenVisible) {
    flashWhenVisible = false;
    flashQueue();
  }
});

function updateTitle() {
  const unread = Object.values(state.unread).reduce((sum, n) => sum + (Number(n) || 0), 0);
  const count = state.queue.length + unread;
  document.title = count > 0 ? `(${count}) ${BASE_TITLE}` : BASE_TITLE;
}

function customerName(ticket) {
  const customer = (ticket && ticket.customer) || {};
  return typeof customer.name === "string" && customer.name.trim() ? customer.name.trim() : "";
}

function priorityBadge(priority) {
  return el("span", { class: `prio prio-${String(priority || "normal").replace(/[^a-z_]/g, "")}` }, String(priority || "normal"));
}

function ticketItem(ticket, kind) {
  const current = state.current && state.current.number === ticket.number;
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
    const unread = state.unread[ticket.number] || 0;
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

function renderQueue() {
  renderList(ui.queue, state.queue.map((t) => ticketItem(t, "queue")));
  ui["queue-empty"].hidden = state.queue.length > 0;
  ui["queue-count"].textContent = String(state.queue.length);
}

function renderMine() {
  renderList(ui.mine, state.mine.map((t) => ticketItem(t, "mine")));
  ui["mine-empty"].hidden = state.mine.length > 0;
  ui["mine-count"].textContent = state.maxChats ? `${state.mine.length}/${state.maxChats}` : String(state.mine.length);
}

function agentStatus(agent) {
  if (state.presence) return state.presence.has(agent.id) ? state.presence.get(agent.id).status : "offline";
  return agent.status || "offline";
}

function renderTeam() {
  const order = { online: 0, away: 1, offline: 2 };
  const agents = [...state.agents].sort(
    (a, b) => order[agentStatus(a)] - order[agentStatus(b)] || String(a.name).localeCompare(String(b.name)),
  );
  ui.team.replaceChildren(
    ...agents.map((agent) => {
      const status = agentStatus(agent);
      const me = state.me && agent.id === state.me.id ? " (you)" : "";
      return el(
        "li",
        { class: `team-member ${status}` },
        el("span", { class: "dot", "aria-hidden": "true" }),
        el("span", { class: "team-name" }, `${agent.name || "Agent"}${me}`),
        el("span", { class: "team-status" }, status),
      );
    }),
  );
  renderTransferOptions();
}

function onPresence(event) {
  const agents = event && Array.isArray(event.agents) ? event.agents : [];
  state.presence = new Map(agents.map((a) => [a.id, a]));
  for (const agent of agents) {
    if (!state.agents.some((a) => a.id === agent.id)) state.agents.push({ id: agent.id, name: agent.name, status: agent.status });
  }
  const me = state.me && state.presence.get(state.me.id);
  if (me && (me.status === "online" || me.status === "away") && ui.presence.value !== me.status) {
    ui.presence.value = me.status;
    save(PRESENCE_KEY, me.status);
  }
  renderTeam();
}

ui.presence.addEventListener("change", async () => {
  const status = ui.presence.value === "away" ? "away" : "online";
  save(PRESENCE_KEY, status);
  await call("presence", { status });
});

/** A ticket record changed (event or ack): lists, title and the open conversation follow. */
function applyTicket(ticket) {
  const previous = state.tickets.get(ticket.number);
  state.tickets.set(ticket.number, ticket);
  const index = state.mine.findIndex((t) => t.number === ticket.number);
  if (isMine(ticket)) {
    if (index >= 0) state.mine[index] = ticket;
    else {
      state.mine.push(ticket);
      state.mine.sort((a, b) => String(a.claimed_at || "").localeCompare(String(b.claimed_at || "")));
      const from = previous && previous.assignee && previous.assignee.id !== state.me.id ? previous.assignee.name : null;
      if (from) notice(`${ticket.number} was transferred to you.`, "info");
    }
  } else if (index >= 0) {
    state.mine.splice(index, 1);
    if (state.unread[ticket.number]) {
      delete state.unread[ticket.number];
      save(UNREAD_KEY, state.unread);
    }
  }
  const queued = state.queue.findIndex((t) => t.number === ticket.number);
  if (queued >= 0) {
    if (ticket.status === "open" && !ticket.assignee) state.queue[queued] = ticket;
    else state.queue.splice(queued, 1);
  }
  renderQueue();
  renderMine();
  updateTitle();
  const current = state.current;
  if (current && current.number === ticket.number) {
    const wasMine = isMine(current.ticket);
    current.ticket = ticket;
    if (wasMine && !isMine(ticket)) stopTyping();
    renderConversation();
    renderDetails();
  }
  for (const node of ui["customer-tickets"].querySelectorAll(`[data-ticket="${cssEscape(ticket.number)}"]`)) {
    const status = node.querySelector(".status");
    if (status) {
      status.textContent = statusLabel(ticket.status);
      status.className = `status status-${ticket.status}`;
    }
  }
}

function onListClick(event) {
  const item = event.target.closest(".ticket[data-ticket]");
  if (!item) return;
  const number = item.getAttribute("data-ticket");
  if (event.target.closest("button.claim")) {
    event.stopPropagation();
    claim(number);
    return;
  }
  openTicket(number);
}

function onListKey(event) {
  if (event.key !== "Enter" && event.key !== " ") return;
  if (event.target.closest("button")) return;
  const item = event.target.closest(".ticket[data-ticket]");
  if (!item) return;
  event.preventDefault();
  openTicket(item.getAttribute("data-ticket"));
}

for (const list of [ui.queue, ui.mine]) {
  list.addEventListener("click", onListClick);
  list.addEventListener("keydown", onListKey);
}

setInterval(() => {
  if (!ui.app.hidden && state.queue.length) renderQueue();
}, 30000);

// ---------------------------------------------------------------- the open conversation

function markActive() {
  const number = state.current && state.current.number;
  for (const item of document.querySelectorAll(".ticket-list .ticket")) {
    const active = item.getAttribute("data-ticket") === number;
    item.classList.toggle("active", active);
    if (active) item.setAttribute("aria-current", "true");
    else item.removeAttribute("aria-current");
  }
}

function showEmptyConversation() {
  ui["conv-main"].hidden = true;
  ui["conv-empty"].hidden = false;
  ui["details-main"].hidden = true;
  ui["details-empty"].hidden = false;
  ui.transcript.replaceChildren();
  ui["customer-typing"].hidden = true;
}

async function openTicket(number, { refresh = false } = {}) {
  if (!number) return;
  let current = state.current;
  if (!refresh) {
    closeReports();
    if (current && current.number === number && !current.loading) {
      clearUnread(number);
      ui["reply-input"].focus();
      return;
    }
    stopTyping();
    current = {
      number,
      ticket: state.tickets.get(number) || null,
      loading: true,
      buffer: [],
      bySeq: new Map(), // seq -> node
      notes: new Map(), // note id -> node
      pending: new Map(), // client id -> node
      customerTickets: [],
      dirty: false,
    };
    state.current = current;
    save(OPEN_KEY, number);
    ui.transcript.replaceChildren();
    ui["customer-typing"].hidden = true;
    ui["conv-empty"].hidden = true;
    ui["conv-main"].hidden = false;
    ui["details-empty"].hidden = true;
    ui["details-main"].hidden = false;
    ui["kb-results"].replaceChildren();
    ui["kb-query"].value = "";
    ui["close-resolution"].value = "";
    ui["note-toggle"].checked = false;
    ui["reply-input"].value = "";
    clearUnread(number);
    markActive();
    renderConversation();
    renderDetails();
    renderCustomerTickets();
  } else if (!current || current.number !== number) {
    return;
  }
  current.loading = true;
  const generation = (current.generation = (current.generation || 0) + 1);
  const ack = await call("open", { ticket: number }, { quiet: refresh });
  // Another open (e.g. after a reconnect) took over while this one waited.
  if (state.current !== current || current.generation !== generation) return;
  if (!ack) {
    finishLoading(current);
    if (!refresh) {
      state.current = null;
      sessionStorage.removeItem(OPEN_KEY);
      showEmptyConversation();
      markActive();
    }
    return;
  }
  if (ack.ticket) {
    current.ticket = ack.ticket;
    applyTicket(ack.ticket);
  }
  let messages = Array.isArray(ack.messages) ? ack.messages : [];
  let more = Boolean(ack.more);
  for (;;) {
    for (const message of messages) addMessage(message);
    if (!more || !messages.length) break;
    const after = Math.max(...messages.map((m) => Number(m.seq) || 0));
    const page = await call("history", { ticket: number, after }, { quiet: true });
    if (!page || state.current !== current || current.generation !== generation) break;
    messages = Array.isArray(page.messages) ? page.messages : [];
    more = Boolean(page.more);
  }
  if (state.current !== current || current.generation !== generation) return;
  for (const note of Array.isArray(ack.notes) ? ack.notes : []) addNote(note);
  current.customerTickets = Array.isArray(ack.customer_tickets) ? ack.customer_tickets : [];
  for (const ticket of current.customerTickets) if (!state.tickets.has(ticket.number)) state.tickets.set(ticket.number, ticket);
  if (!refresh) {
    for (const item of outbox.items()) if (item.ticket === number) showPending(item);
  }
  finishLoading(current);
  renderCustomerTickets();
  if (!refresh) scrollToBottom(true);
}

/** Live events that came while the conversation loaded, now in order. */
function finishLoading(current) {
  current.loading = false;
  const buffered = current.buffer;
  current.buffer = [];
  for (const [kind, payload] of buffered) {
    if (kind === "message") onMessage(payload);
    else if (kind === "note") onNote(payload);
    else onTyping(payload);
  }
}

function clearUnread(number) {
  if (state.unread[number]) {
    delete state.unread[number];
    save(UNREAD_KEY, state.unread);
    renderMine();
    updateTitle();
  }
}

function canMessage() {
  const current = state.current;
  return Boolean(current && current.ticket && isMine(current.ticket));
}

function renderConversation() {
  const current = state.current;
  if (!current) return;
  const ticket = current.ticket;
  const me = state.me || {};
  const title = ui["conv-title"];
  title.replaceChildren(
    el("span", { class: "conv-number" }, current.number),
    el("span", { class: "conv-title-text" }, ticket ? String(ticket.title || "(no title)") : "Loading…"),
  );
  if (!ticket) {
    for (const id of ["claim", "release", "transfer-group", "close-group"]) ui[id].hidden = true;
    ui.composer.hidden = true;
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
  const mine = isMine(ticket);
  const admin = me.role === "admin";
  ui.claim.hidden = closed || Boolean(assignee) || ticket.status !== "open";
  ui.release.hidden = closed || !assignee || !(mine || admin);
  ui["transfer-group"].hidden = closed || !assignee || !(mine || admin);
  ui["close-group"].hidden = closed || !(mine || !assignee || admin);
  renderTransferOptions();

  ui.composer.hidden = false;
  const notesOnly = !mine;
  if (notesOnly) {
    if (!ui["note-toggle"].checked) current.forcedNote = true;
    ui["note-toggle"].checked = true;
  } else if (current.forcedNote) {
    // Just claimed (or transferred to me): back to replying to the customer.
    current.forcedNote = false;
    ui["note-toggle"].checked = false;
  }
  ui["note-toggle"].disabled = notesOnly;
  const noteMode = ui["note-toggle"].checked;
  ui.composer.classList.toggle("note-mode", noteMode);
  ui["reply-send"].textContent = noteMode ? "Add note" : "Send";
  ui["reply-input"].placeholder = noteMode
    ? "Write an internal note (only agents see it)…"
    : "Write a reply… (Enter to send, Shift+Enter for a new line)";
  ui["composer-hint"].textContent = closed
    ? "This ticket is closed: only internal notes."
    : notesOnly
      ? assignee
        ? `${assignee.name || "Another agent"} holds this chat: only internal notes.`
        : "Claim this chat to reply to the customer."
      : "";
  for (const button of ui["kb-results"].querySelectorAll("button.send-article")) button.disabled = !mine;
}

function renderTransferOptions() {
  const select = ui["transfer-to"];
  const previous = select.value;
  const current = state.current;
  const holder = current && current.ticket && current.ticket.assignee ? current.ticket.assignee.id : null;
  const others = state.agents.filter((a) => a.id !== holder && (!state.me || a.id !== state.me.id || holder !== state.me.id));
  const options = [{ value: "", label: "Transfer to…" }];
  for (const agent of others) {
    const status = agentStatus(agent);
    options.push({ value: agent.id, label: `${agent.name || "Agent"} (${status})` });
  }
  setOptions(select, options, others.some((a) => a.id === previous) ? previous : "");
}

function renderCanned() {
  const options = [{ value: "", label: "Insert canned reply…" }];
  for (const reply of state.canned) if (reply && reply.id) options.push({ value: String(reply.id), label: String(reply.title || reply.id) });
  setOptions(ui.canned, options, "");
}

function cannedText(reply, ticket) {
  const texts = (reply && reply.text) || {};
  const lang = (ticket && ticket.language) || "en";
  const text = texts[lang] || texts.en || Object.values(texts)[0] || "";
  const first = firstName(customerName(ticket));
  const values = {
    agent: (state.me && state.me.name) || "",
    customer: first ? `, ${first}` : "",
    ticket: (ticket && ticket.number) || "",
  };
  return fill(String(text), values);
}

ui.canned.addEventListener("change", () => {
  const reply = state.canned.find((r) => String(r.id) === ui.canned.value);
  ui.canned.value = "";
  if (!reply || !state.current) return;
  const input = ui["reply-input"];
  const text = cannedText(reply, state.current.ticket);
  const start = input.selectionStart ?? input.value.length;
  const end = input.selectionEnd ?? input.value.length;
  const before = input.value.slice(0, start);
  const joiner = before && !/\s$/.test(before) ? " " : "";
  input.value = before + joiner + text + input.value.slice(end);
  const caret = (before + joiner + text).length;
  input.focus();
  input.setSelectionRange(caret, caret);
  input.dispatchEvent(new Event("input"));
});

ui["note-toggle"].addEventListener("change", () => {
  if (ui["note-toggle"].checked) stopTyping();
  renderConversation();
  ui["reply-input"].focus();
});

// --- transcript entries

function context() {
  const current = state.current;
  return { customerName: current && current.ticket ? customerName(current.ticket) : "", meId: state.me && state.me.id };
}

function isNearBottom() {
  const t = ui.transcript;
  return t.scrollHeight - t.scrollTop - t.clientHeight < 120;
}

function scrollToBottom(force) {
  if (force || isNearBottom()) ui.transcript.scrollTop = ui.transcript.scrollHeight;
}

/** Inserts the node where its key belongs (entries arrive almost always in order). */
function place(node, key) {
  node.dataset.sort = String(key);
  let ref = ui.transcript.lastElementChild;
  while (ref && Number(ref.dataset.sort) > key) ref = ref.previousElementSibling;
  if (ref) ref.after(node);
  else ui.transcript.prepend(node);
}

function lastKnownKey() {
  let ref = ui.transcript.lastElementChild;
  while (ref && !Number.isFinite(Number(ref.dataset.sort))) ref = ref.previousElementSibling;
  return ref ? Number(ref.dataset.sort) : Date.now();
}

function addMessage(message) {
  const current = state.current;
  if (!current || !message || typeof message !== "object") return;
  const stick = isNearBottom();
  const seq = Number(message.seq) || 0;
  const existing = seq ? current.bySeq.get(seq) : null;
  if (existing && !existing.dataset.provisional) return; // already on screen
  const node = messageNode(message, context());
  if (existing) {
    existing.remove();
  } else if (message.from === "agent" && typeof message.id === "string" && message.id.startsWith("@")) {
    const pending = current.pending.get(message.id.slice(1));
    if (pending) {
      pending.remove();
      current.pending.delete(message.id.slice(1));
    }
  }
  if (seq) current.bySeq.set(seq, node);
  place(node, messageKey(message));
  if (message.from === "customer") ui["customer-typing"].hidden = true;
  scrollToBottom(stick || (message.from === "agent" && message.agent && state.me && message.agent.id === state.me.id));
}

function addNote(note) {
  const current = state.current;
  if (!current || !note || typeof note.id !== "string") return;
  if (current.notes.has(note.id)) return;
  const stick = isNearBottom();
  const pending = current.pending.get(note.id);
  if (pending) {
    pending.remove();
    current.pending.delete(note.id);
  }
  const node = noteNode(note, context());
  current.notes.set(note.id, node);
  place(node, noteKey(note));
  scrollToBottom(stick);
}

function showPending(item) {
  const current = state.current;
  if (!current || current.number !== item.ticket || current.pending.has(item.id)) return;
  if (item.kind === "note" && current.notes.has(item.id)) return;
  const me = state.me || {};
  const node =
    item.kind === "note"
      ? noteNode({ id: item.id, text: item.text, agent: { id: me.id, name: me.name } }, context())
      : messageNode(
          {
            from: "agent",
            id: "@" + item.id,
            text: item.text,
            agent: { id: me.id, name: me.name },
            articles: item.article ? [item.article] : undefined,
          },
          context(),
        );
  node.classList.add("pending");
  node.setAttribute("data-client-id", item.id);
  const time = node.querySelector(".msg-time");
  if (time) time.textContent = "Sending…";
  current.pending.set(item.id, node);
  place(node, Infinity);
  scrollToBottom(true);
}

function onMessage(message) {
  if (!message || typeof message !== "object") return;
  const current = state.current;
  if (current && current.loading) {
    current.buffer.push(["message", message]);
    return;
  }
  if (current && current.ticket && message.conversation_id === current.ticket.conversation_id) {
    addMessage(message);
    return;
  }
  if (message.from === "customer") {
    const ticket = state.mine.find((t) => t.conversation_id === message.conversation_id);
    if (ticket) {
      state.unread[ticket.number] = (state.unread[ticket.number] || 0) + 1;
      save(UNREAD_KEY, state.unread);
      renderMine();
      updateTitle();
    }
  }
}

function onNote(note) {
  const current = state.current;
  if (!current || !note) return;
  if (current.loading) {
    current.buffer.push(["note", note]);
    return;
  }
  if (note.ticket === current.number) addNote(note);
}

let customerTypingTimer = null;
function onTyping(event) {
  const current = state.current;
  if (!current || !event || event.from !== "customer") return;
  if (current.loading) {
    current.buffer.push(["typing", event]);
    return;
  }
  if (!current.ticket || event.conversation_id !== current.ticket.conversation_id) return;
  setCustomerTyping(Boolean(event.on));
  clearTimeout(customerTypingTimer);
  // A lost "off" must not leave the indicator on forever.
  if (event.on) customerTypingTimer = setTimeout(() => setCustomerTyping(false), 10000);
}

function setCustomerTyping(on) {
  if (ui["customer-typing"].hidden === !on) return;
  const stick = isNearBottom();
  ui["customer-typing"].hidden = !on;
  scrollToBottom(stick); // the transcript got shorter or taller
}

// --- sending: an outbox that keeps the client id until the server acknowledges it

function enqueue(item) {
  const me = state.me || {};
  const entry = { ...item, agent: me.id, queued_at: Date.now() };
  outbox.add(entry);
  showPending(entry);
  if (sender) sender.flushSoon();
}

// The connection's sender of the outbox (shared/outbox.js has the retry rule); a new one
// for every connection, so that it sends at once.
let sender = null;

function startSending(socket) {
  stopSending();
  sender = new OutboxSender(outbox, {
    canSend: () => state.socket === socket && socket.connected,
    // Items written by another agent in this tab are not ours to send.
    accepts: (item) => !item.agent || Boolean(state.me && item.agent === state.me.id),
    send: (item) => sendItem(socket, item),
    onSent: delivered,
    onRefused(item, error) {
      outbox.remove(item.id);
      failed(item, error.message || error.code);
    },
  });
  sender.flush();
}

function stopSending() {
  if (sender) sender.stop();
  sender = null;
}

async function sendItem(socket, item) {
  const payload = { ticket: item.ticket, id: item.id, text: item.text };
  if (item.kind === "message" && item.article) payload.article = { id: item.article.id, lang: item.article.lang };
  const ack = await socket.timeout(ACK_TIMEOUT).emitWithAck(item.kind === "note" ? "note" : "message", payload);
  if (ack && !ack.ok && ack.error && ack.error.code === "unauthorized") {
    // The session ended, the message was not refused: it stays for this agent's next login.
    sessionEnded();
    return null;
  }
  return ack;
}

function delivered(item, ack) {
  const current = state.current;
  if (!current || current.number !== item.ticket) return;
  if (item.kind === "note") {
    if (ack.note) addNote(ack.note);
    return;
  }
  const seq = Number(ack.seq) || 0;
  const node = current.pending.get(item.id);
  current.pending.delete(item.id);
  if (!node) return;
  if (seq && current.bySeq.has(seq)) {
    node.remove(); // the live event came first
    return;
  }
  // Confirmed; the live `message` event (with the server's time) replaces it when it comes.
  node.classList.remove("pending");
  node.removeAttribute("data-client-id");
  const time = node.querySelector(".msg-time");
  if (time) time.textContent = clockTime(new Date().toISOString());
  if (seq) {
    node.setAttribute("data-seq", String(seq));
    node.dataset.provisional = "1";
    current.bySeq.set(seq, node);
  }
  node.remove();
  place(node, lastKnownKey() + 0.0001);
}

function failed(item, message) {
  notice(`Not sent: ${message}`);
  const current = state.current;
  if (!current || current.number !== item.ticket) return;
  const node = current.pending.get(item.id);
  current.pending.delete(item.id);
  if (!node) return;
  node.classList.remove("pending");
  node.classList.add("failed");
  const time = node.querySelector(".msg-time");
  if (time) time.textContent = `Not sent: ${message}`;
}

ui.composer.addEventListener("submit", (event) => {
  event.preventDefault();
  const current = state.current;
  if (!current || !current.ticket) return;
  const text = ui["reply-input"].value.trim();
  if (!text) {
    ui["reply-input"].focus();
    return;
  }
  if (text.length > MAX_TEXT) {
    notice(`A message can be at most ${MAX_TEXT.toLocaleString("en")} characters.`);
    return;
  }
  const asNote = ui["note-toggle"].checked || !canMessage();
  stopTyping();
  ui["reply-input"].value = "";
  enqueue({ kind: asNote ? "note" : "message", ticket: current.number, id: newId("c", 8), text });
  ui["reply-input"].focus();
});

ui["reply-input"].addEventListener("keydown", (event) => {
  if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
    event.preventDefault();
    ui.composer.requestSubmit();
  }
});

// --- the agent's typing indicator for the customer (not while writing a note)

let typingOn = null; // the ticket we told "on"
let typingTimer = null;

ui["reply-input"].addEventListener("input", () => {
  const current = state.current;
  if (!current || !canMessage() || ui["note-toggle"].checked) return;
  if (!ui["reply-input"].value.trim()) {
    stopTyping();
    return;
  }
  if (typingOn !== current.number) {
    stopTyping();
    typingOn = current.number;
    call("typing", { ticket: current.number, on: true }, { quiet: true });
  }
  clearTimeout(typingTimer);
  typingTimer = setTimeout(stopTyping, TYPING_IDLE);
});

function stopTyping() {
  clearTimeout(typingTimer);
  typingTimer = null;
  if (typingOn) {
    const ticket = typingOn;
    typingOn = null;
    call("typing", { ticket, on: false }, { quiet: true });
  }
}

// --- claim, release, transfer, close

async function claim(number) {
  const ack = await call("claim", { ticket: number });
  if (!ack) return;
  if (ack.ticket) applyTicket(ack.ticket);
  if (!state.current || state.current.number !== number) await openTicket(number);
  else {
    renderConversation();
    ui["reply-input"].focus();
  }
}

ui.claim.addEventListener("click", () => state.current && claim(state.current.number));

ui.release.addEventListener("click", async () => {
  const current = state.current;
  if (!current) return;
  stopTyping();
  const ack = await call("release", { ticket: current.number });
  if (ack && ack.ticket) applyTicket(ack.ticket);
});

ui.transfer.addEventListener("click", async () => {
  const current = state.current;
  if (!current) return;
  const to = ui["transfer-to"].value;
  if (!to) {
    notice("Choose the agent to transfer the chat to.");
    ui["transfer-to"].focus();
    return;
  }
  stopTyping();
  const ack = await call("transfer", { ticket: current.number, to });
  if (ack && ack.ticket) {
    applyTicket(ack.ticket);
    const agent = state.agents.find((a) => a.id === to);
    notice(`${current.number} transferred to ${(agent && agent.name) || "the agent"}.`, "info");
  }
});

async function closeTicket() {
  const current = state.current;
  if (!current) return;
  const input = ui["close-resolution"];
  const resolution = input.value.trim();
  if (!resolution) {
    input.classList.add("invalid");
    input.focus();
    notice("Write a resolution before closing the ticket.");
    return;
  }
  input.classList.remove("invalid");
  stopTyping();
  ui["close-ticket"].disabled = true;
  const ack = await call("close", { ticket: current.number, resolution });
  ui["close-ticket"].disabled = false;
  if (ack && ack.ticket) {
    input.value = "";
    applyTicket(ack.ticket);
  }
}

ui["close-ticket"].addEventListener("click", closeTicket);
ui["close-resolution"].addEventListener("keydown", (event) => {
  if (event.key === "Enter") {
    event.preventDefault();
    closeTicket();
  }
});
ui["close-resolution"].addEventListener("input", () => ui["close-resolution"].classList.remove("invalid"));

// ---------------------------------------------------------------- details pane

function renderDetails() {
  const current = state.current;
  if (!current) return;
  const ticket = current.ticket;
  if (!ticket) {
    ui["ticket-form"].hidden = true;
    ui["customer-details"].replaceChildren(el("p", { class: "muted" }, "Loading…"));
    return;
  }
  ui["ticket-form"].hidden = false;
  if (!current.dirty) {
    ui["ticket-title"].value = String(ticket.title || "");
    const fields = ticket.fields && typeof ticket.fields === "object" ? ticket.fields : {};
    const names = [...Object.keys(fields)];
    for (const name of Array.isArray(ticket.missing) ? ticket.missing : []) if (!names.includes(name)) names.push(name);
    ui["ticket-fields"].replaceChildren(
      ...names.map((name) => {
        const missing = !(name in fields);
        const input = el("input", {
          type: "text",
          "data-field": name,
          maxlength: "1000",
          placeholder: missing ? "missing" : null,
          class: missing ? "missing" : null,
        });
        input.value = missing ? "" : String(fields[name] ?? "");
        return el("label", { class: "field" }, el("span", {}, humanize(name)), input);
      }),
    );
    setOptions(
      ui["ticket-priority"],
      state.priorities.map((p) => ({ value: p, label: humanize(p) })),
      state.priorities.includes(ticket.priority) ? ticket.priority : undefined,
    );
  }
  const closed = ticket.status === "closed";
  for (const input of ui["ticket-form"].querySelectorAll("input, select, button")) input.disabled = closed;

  const facts = [
    ["Status", statusLabel(ticket.status)],
    ["Language", languageName(ticket.language)],
    ["Service", ticket.service ? humanize(ticket.service) : "—"],
    ["Created", dateTime(ticket.created_at)],
  ];
  if (ticket.expected_response && !closed) facts.push(["Respond by", dateTime(ticket.expected_response)]);
  if (ticket.first_response_at) facts.push(["First response", dateTime(ticket.first_response_at)]);
  if (closed) {
    facts.push(["Closed", dateTime(ticket.closed_at)]);
    if (ticket.resolution) facts.push(["Resolution", String(ticket.resolution)]);
  }
  ui["ticket-facts"].replaceChildren(...facts.flatMap(([k, v]) => [el("dt", {}, k), el("dd", {}, v)]));

  if (ticket.rating !== null && ticket.rating !== undefined) {
    const score = Number(ticket.rating);
    const comment = ticket.rating_comment ? ` — ${ticket.rating_comment}` : "";
    ui["ticket-rating"].textContent = `${stars(score)} ${score}/5${comment}`;
    ui["rating-panel"].hidden = false;
  } else {
    ui["ticket-rating"].textContent = "";
    ui["rating-panel"].hidden = true;
  }
  renderCustomer(ticket);
}

function renderCustomer(ticket) {
  const customer = (ticket && ticket.customer) || {};
  const rows = [
    ["Name", customer.name],
    ["Email", customer.email],
    ["Plan", customer.plan],
    ["Customer number", customer.customer_number],
    ["Role", customer.role],
    ["Domains", Array.isArray(customer.domains) ? customer.domains.join(", ") : customer.domains],
  ].filter(([, v]) => v !== undefined && v !== null && String(v).trim() !== "");
  const box = ui["customer-details"];
  if (!rows.length) {
    box.replaceChildren(
      el("p", { class: "anonymous" }, "Anonymous visitor"),
      el("p", { class: "muted small" }, "Not logged in to the customer portal; identity not verified."),
    );
    return;
  }
  const list = el("dl", { class: "facts" });
  for (const [label, value] of rows) list.append(el("dt", {}, label), el("dd", {}, String(value)));
  box.replaceChildren(el("p", { class: "verified" }, "✓ Verified customer"), list);
}

function renderCustomerTickets() {
  const current = state.current;
  const tickets = current ? current.customerTickets : [];
  if (!tickets.length) {
    ui["customer-tickets"].replaceChildren(el("li", { class: "muted small" }, current && current.loading ? "Loading…" : "No earlier tickets."));
    return;
  }
  ui["customer-tickets"].replaceChildren(
    ...tickets.map((ticket) => {
      const button = el(
        "button",
        { type: "button", class: "earlier", "data-ticket": ticket.number },
        el("span", { class: "earlier-top" },
          el("span", { class: "ticket-number" }, ticket.number),
          el("span", { class: `status status-${ticket.status}` }, statusLabel(ticket.status)),
        ),
        el("span", { class: "earlier-title" }, String(ticket.title || "(no title)")),
      );
      return el("li", { "data-ticket": ticket.number }, button);
    }),
  );
}

ui["customer-tickets"].addEventListener("click", (event) => {
  const button = event.target.closest("button[data-ticket]");
  if (button) openTicket(button.getAttribute("data-ticket"));
});

ui["ticket-form"].addEventListener("input", () => {
  if (state.current) state.current.dirty = true;
  ui["ticket-saved"].textContent = "";
});

ui["ticket-form"].addEventListener("submit", async (event) => {
  event.preventDefault();
  const current = state.current;
  if (!current || !current.ticket) return;
  const title = ui["ticket-title"].value.trim();
  if (!title) {
    notice("The title cannot be empty.");
    ui["ticket-title"].focus();
    return;
  }
  const fields = {};
  for (const input of ui["ticket-fields"].querySelectorAll("input[data-field]")) {
    const value = input.value.trim();
    if (value) fields[input.getAttribute("data-field")] = value;
  }
  const change = { ticket: current.number, title, fields, priority: ui["ticket-priority"].value };
  ui["ticket-save"].disabled = true;
  const ack = await call("update", change);
  ui["ticket-save"].disabled = false;
  if (!ack) return;
  if (state.current === current) current.dirty = false;
  if (ack.ticket) applyTicket(ack.ticket);
  ui["ticket-saved"].textContent = "Saved";
  setTimeout(() => (ui["ticket-saved"].textContent = ""), 3000);
});

// --- knowledge base

ui["kb-form"].addEventListener("submit", async (event) => {
  event.preventDefault();
  const current = state.current;
  const q = ui["kb-query"].value.trim();
  if (!q) {
    ui["kb-query"].focus();
    return;
  }
  const payload = { q };
  const lang = current && current.ticket && current.ticket.language;
  if (lang) payload.lang = lang;
  ui["kb-search"].disabled = true;
  const ack = await call("kb_search", payload);
  ui["kb-search"].disabled = false;
  if (!ack) return;
  renderArticles(Array.isArray(ack.articles) ? ack.articles : []);
});

function renderArticles(articles) {
  const mine = canMessage();
  if (!articles.length) {
    ui["kb-results"].replaceChildren(el("li", { class: "muted small" }, "No articles found."));
    return;
  }
  ui["kb-results"].replaceChildren(
    ...articles.map((article) => {
      const send = el(
        "button",
        { type: "button", class: "send-article btn btn-small", title: mine ? null : "Claim the chat to send articles" },
        "Send to customer",
      );
      send.disabled = !mine;
      send.addEventListener("click", () => sendArticle(article));
      const actions = el("div", { class: "kb-actions" }, send, link(article.url, "Open ↗", location.href));
      return el(
        "li",
        { class: "kb-item", "data-article": String(article.id || "") },
        el("div", { class: "kb-title" }, String(article.title || article.id || "Article")),
        article.summary ? el("div", { class: "kb-summary" }, String(article.summary)) : null,
        el("div", { class: "kb-lang muted small" }, languageName(article.lang)),
        actions,
      );
    }),
  );
}

function sendArticle(article) {
  const current = state.current;
  if (!current || !canMessage()) {
    notice("Claim the chat before sending articles to the customer.");
    return;
  }
  const card = {
    id: String(article.id),
    lang: String(article.lang || (current.ticket && current.ticket.language) || "en"),
    title: article.title,
    summary: article.summary,
    url: article.url,
  };
  enqueue({ kind: "message", ticket: current.number, id: newId("c", 8), text: "", article: card });
}

// ---------------------------------------------------------------- reports (admins)

async function openReports() {
  state.reportsOpen = true;
  ui.conversation.hidden = true;
  ui.details.hidden = true;
  ui["reports-view"].hidden = false;
  ui["reports-button"].classList.add("active");
  await loadReports();
}

async function loadReports() {
  ui["reports-body"].replaceChildren(el("p", { class: "muted" }, "Loading…"));
  const days = Number(ui["reports-days"].value) || 30;
  const ack = await call("reports", { days });
  if (!state.reportsOpen) return;
  if (!ack) {
    ui["reports-body"].replaceChildren(el("p", { class: "muted" }, "The report could not be loaded."));
    return;
  }
  ui["reports-body"].replaceChildren(renderReport(ack));
}

function closeReports() {
  state.reportsOpen = false;
  ui["reports-view"].hidden = true;
  ui.conversation.hidden = false;
  ui.details.hidden = false;
  ui["reports-button"].classList.remove("active");
}

ui["reports-button"].addEventListener("click", () => (state.reportsOpen ? closeReports() : openReports()));
ui["reports-close"].addEventListener("click", closeReports);
ui["reports-days"].addEventListener("change", loadReports);

// ---------------------------------------------------------------- start

function start() {
  showApp();
  renderQueue();
  renderMine();
  connect();
}

state.token = sessionStorage.getItem(TOKEN_KEY);
if (state.token) start();
else showLogin();
