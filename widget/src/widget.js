// The chat widget: one <script src=".../widget.js" data-server data-locale async> tag.
// Everything from the network is rendered with textContent: never as HTML.
import { io } from "socket.io-client";
import { cssEscape, el, safeUrl } from "./shared/dom.js";
import { fill, timeOfDay } from "./shared/format.js";
import { newId } from "./shared/ids.js";
import { OutboxSender } from "./shared/outbox.js";
import { CSS } from "./widget/styles.js";
import { texts } from "./widget/i18n.js";
import { NEW_VISITOR, adoptLegacyOutbox, dropOutboxes, moveOutbox, outboxOf, scopeOf } from "./widget/outboxes.js";

const script = document.currentScript;
const SERVER = (script && script.dataset.server) || (script ? new URL(script.src).origin : location.origin);
const TOKEN_KEY = "chatbot.visitor_token";
const ACK_TIMEOUT = 8000;

const state = {
  locale: (script && script.dataset.locale) || document.documentElement.lang || "en",
  userToken: null,
  connecting: null, // the outbox scope of the connection being opened
  session: null, // the open connection: {scope, conversation}; null while there is none
  lang: "en",
  conversation: null,
  lastSeq: 0,
  seen: new Set(), // ids of messages on screen
  bySeq: new Map(),
  open: false,
  unread: 0,
  lastAsk: null,
  rated: new Set(), // tickets rated on this screen
  ticket: null,
  welcome: null, // the server's welcome of this session: {title, text, hours}
  speaker: null, // who said the last message on screen, to name each speaker once
  atBottom: true, // the log shows its newest message: keep it so when the panel resizes
};

// A custom element, so the page's "div {...}" rules do not match the host, and inline
// !important resets (set through CSSOM, allowed under CSP) that beat the page's own
// !important: inherited properties like visibility or font-size cannot leak in.
const host = document.createElement("chatbot-widget");
host.setAttribute("data-chatbot", "");
host.style.setProperty("all", "initial", "important");
host.style.setProperty("display", "block", "important");
host.style.setProperty("visibility", "visible", "important");
const root = host.attachShadow({ mode: "open" });
const sheet = new CSSStyleSheet();
sheet.replaceSync(CSS);
root.adoptedStyleSheets = [sheet];

// Icons drawn with SVG: emoji fonts are missing on many systems.
function icon(size, d, pathAttrs) {
  const ns = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(ns, "svg");
  for (const [key, value] of Object.entries({ viewBox: "0 0 24 24", width: size, height: size, "aria-hidden": "true" })) {
    svg.setAttribute(key, value);
  }
  const path = document.createElementNS(ns, "path");
  for (const [key, value] of Object.entries({ ...pathAttrs, d })) path.setAttribute(key, value);
  svg.append(path);
  return svg;
}

function botIcon() {
  // A small robot head.
  return icon("16", "M11 2h2v3h4a3 3 0 0 1 3 3v9a3 3 0 0 1-3 3H7a3 3 0 0 1-3-3V8a3 3 0 0 1 3-3h4zM9 10.5a1.5 1.5 0 1 0 0 3 1.5 1.5 0 0 0 0-3zm6 0a1.5 1.5 0 1 0 0 3 1.5 1.5 0 0 0 0-3zM8 16h8v1.5H8z", { fill: "currentColor" });
}

function chatIcon() {
  // A speech bubble.
  return icon("28", "M4 3h16a2 2 0 0 1 2 2v11a2 2 0 0 1-2 2H9l-5 4v-4H4a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2zm3 6.5a1.5 1.5 0 1 0 0 .01zm5 0a1.5 1.5 0 1 0 0 .01zm5 0a1.5 1.5 0 1 0 0 .01z", { fill: "currentColor" });
}

function clipIcon() {
  // A paperclip.
  return icon("20", "M21 11.5l-8.6 8.6a5.5 5.5 0 0 1-7.8-7.8l8.6-8.6a3.7 3.7 0 0 1 5.2 5.2l-8.6 8.6a1.8 1.8 0 0 1-2.6-2.6l7.9-7.9", {
    fill: "none",
    stroke: "currentColor",
    "stroke-width": "2",
    "stroke-linecap": "round",
  });
}

const launcher = el("button", { class: "launcher", type: "button", "aria-haspopup": "dialog", "aria-expanded": "false" });
launcher.append(chatIcon());
const badge = el("span", { class: "badge", hidden: "" });
launcher.append(badge);
const panel = el("section", { class: "panel", role: "dialog", "aria-labelledby": "chatbot-title", hidden: "" });
const header = el("header");
const heading = el("h2", { id: "chatbot-title" });
const closeButton = el("button", { type: "button" }, "×");
header.append(heading, closeButton);
const banner = el("div", { class: "banner", hidden: "", role: "status" });
const offline = el("div", { class: "offline", hidden: "", role: "status" });
const log = el("div", { class: "log", role: "log", "aria-live": "polite" });
const typing = el("div", { class: "typing", hidden: "" });
const form = el("form");
const input = el("textarea", { rows: "1" });
const send = el("button", { type: "submit" });
const attachButton = el("button", { type: "button", class: "attach" });
attachButton.append(clipIcon());
const fileInput = el("input", { type: "file", accept: "image/png,image/jpeg,application/pdf,text/plain,.log,.txt", hidden: "" });
form.append(attachButton, fileInput, input, send);
panel.append(header, banner, offline, log, typing, form);
root.append(launcher, panel);

function applyTexts() {
  const t = texts(state.lang);
  heading.textContent = (state.welcome && state.welcome.title) || t.title;
  launcher.setAttribute("aria-label", state.open ? t.close : t.open);
  closeButton.setAttribute("aria-label", t.close);
  input.setAttribute("placeholder", t.placeholder);
  input.setAttribute("aria-label", t.placeholder);
  send.textContent = t.send;
  attachButton.setAttribute("aria-label", t.attach);
  attachButton.setAttribute("title", t.attach);
  typing.textContent = t.typing;
  offline.textContent = t.offline;
  log.setAttribute("aria-label", t.log);
  for (const note of log.querySelectorAll(".unsent")) unsentTexts(note);
  for (const stamp of log.querySelectorAll("time[datetime]")) stamp.textContent = clock(stamp.getAttribute("datetime"));
  for (const name of log.querySelectorAll(".who .name[data-bot]")) name.textContent = t.assistant;
}

// A message's time of day in the widget's language (not the browser's).
function clock(iso) {
  return timeOfDay(iso, state.lang);
}

// Ticket numbers (HS-104233) never break over two lines: each is its own nowrap span.
const TICKET_NUMBER = /\b[A-Z][A-Z0-9]{0,9}-\d{3,}\b/g;
function withNumbers(node, text) {
  let last = 0;
  for (const match of text.matchAll(TICKET_NUMBER)) {
    if (match.index > last) node.append(document.createTextNode(text.slice(last, match.index)));
    node.append(el("span", { class: "number" }, match[0]));
    last = match.index + match[0].length;
  }
  if (last < text.length) node.append(document.createTextNode(text.slice(last)));
  return node;
}

// Who speaks, once per run of their messages: a small avatar, the name and the time.
function speakerRow(message, last = true) {
  const t = texts(state.lang);
  const bot = message.from !== "agent";
  const name = bot ? t.assistant : (message.agent && message.agent.name) || t.agent;
  const key = bot ? "bot" : `agent:${name}`;
  if (last && state.speaker === key) return null;
  if (last) state.speaker = key;
  const row = el("div", { class: `who ${bot ? "bot" : "agent"}` });
  const avatar = el("span", { class: "avatar", "aria-hidden": "true" });
  if (bot) avatar.append(botIcon());
  else avatar.textContent = Array.from(name.trim())[0] || "?";
  const label = el("span", { class: "name" }, name);
  if (bot) label.setAttribute("data-bot", "");
  row.append(avatar, label);
  if (message.at) {
    const stamp = el("time", { datetime: message.at }, clock(message.at));
    row.append(stamp);
  }
  return row;
}

// The server's welcome, first in a conversation that has no messages yet.
function showWelcome() {
  const welcome = state.welcome;
  if (!welcome || !welcome.text || log.querySelector(".welcome") || state.bySeq.size) return;
  const box = el("div", { class: "msg welcome" });
  box.append(el("p", {}, welcome.text));
  if (welcome.hours) box.append(el("p", { class: "hours" }, welcome.hours));
  const first = !log.firstChild; // else the customer already wrote below it
  log.prepend(speakerRow({ from: "bot" }, first), box);
  scrollDown();
}

function scrollDown() {
  log.scrollTop = log.scrollHeight;
  state.atBottom = true;
}

// When the banner, the typing line or a notice appears, the log gets shorter: the newest
// message (often the system's "your ticket..." line) must not end up hidden below.
// Measured against the height the log had before a resize: the scroll event of a shrink
// comes before the observer, and must not count as the customer scrolling up.
let logHeight = 0;
log.addEventListener("scroll", () => {
  state.atBottom = log.scrollHeight - log.scrollTop - (logHeight || log.clientHeight) < 24;
});
if (window.ResizeObserver) {
  new ResizeObserver(() => {
    if (state.atBottom) log.scrollTop = log.scrollHeight;
    logHeight = log.clientHeight;
  }).observe(log);
}

// Buttons of a question that is answered (or followed by another question) stay visible
// but can no longer be pressed: a value answers only the ask it was drawn under.
function settleChoices() {
  for (const node of log.querySelectorAll(".choices:not(.answered)")) {
    node.classList.add("answered");
    for (const button of node.querySelectorAll("button")) {
      button.disabled = true;
      button.setAttribute("aria-disabled", "true");
    }
  }
}

function renderMessage(message, pending = false) {
  // With an article card, the card shows title and summary: the bubble keeps the intro.
  const hasCards = message.articles && message.articles.length;
  const text = hasCards && message.from === "bot" ? message.text.split("\n\n")[0] : message.text;
  if (message.from === "bot" || message.from === "agent") {
    const row = speakerRow(message);
    if (row) log.append(row);
  } else {
    state.speaker = null;
  }
  if (message.attachment) {
    log.append(attachmentView(message, pending));
  } else if (text || !hasCards) {
    const bubble = withNumbers(el("div", { class: `msg ${message.from}${pending ? " pending" : ""}`, "data-id": message.id }), text);
    if (message.seq) bubble.setAttribute("data-seq", String(message.seq));
    log.append(bubble);
  }
  if (message.event === "rating_thanks") {
    for (const node of log.querySelectorAll(".rating")) node.remove();
  }
  if (message.ask && message.ask.kind === "rating") {
    if (!state.rated.has(message.ask.ticket)) log.append(ratingForm(message.ask.ticket));
  }
  for (const article of message.articles || []) {
    const card = el("div", { class: "card" });
    card.append(el("strong", {}, article.title), el("p", {}, article.summary || ""));
    const href = safeUrl(article.url || "");
    if (href) {
      const link = el("a", { href, target: "_blank", rel: "noopener noreferrer" }, texts(state.lang).read);
      card.append(link);
    }
    log.append(card);
  }
  if (message.ask || message.from === "customer") settleChoices();
  if (message.ask && message.ask.options && message.ask.options.length) {
    const askId = message.ask.id || "";
    const choices = el("div", { class: "choices", role: "group", "data-ask": askId });
    for (const option of message.ask.options) {
      const button = el("button", { type: "button", "data-value": option.value }, option.label);
      button.addEventListener("click", () => {
        if (button.disabled) return;
        settleChoices();
        sendMessage(option.label, option.value, askId);
      });
      choices.append(button);
    }
    log.append(choices);
  }
  scrollDown();
}

function formatSize(bytes) {
  return bytes < 1024 * 1024 ? `${Math.max(1, Math.round(bytes / 1024))} KB` : `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

// A file in the chat: a thumbnail for pictures, a link for the rest. Served by our server.
function attachmentView(message, pending) {
  const file = message.attachment;
  const box = el("div", { class: `msg file ${message.from}${pending ? " pending" : ""}`, "data-id": message.id });
  if (message.seq) box.setAttribute("data-seq", String(message.seq));
  if (!file.id) {
    box.textContent = `${file.name} (${formatSize(file.size)})`;
    return box;
  }
  const href = `${SERVER}/attachments/${encodeURIComponent(file.id)}`;
  const link = el("a", { href, target: "_blank", rel: "noopener noreferrer" });
  if (file.type === "image/png" || file.type === "image/jpeg") {
    link.append(el("img", { src: href, alt: file.name, loading: "lazy" }));
  }
  link.append(el("span", {}, `${file.name} (${formatSize(file.size)})`));
  box.append(link);
  return box;
}

const MAX_FILE = (parseFloat(script && script.dataset.maxFileMb) || 5) * 1024 * 1024;
const FILE_TYPES = ["image/png", "image/jpeg", "application/pdf", "text/plain"];

async function sendFile(file) {
  const t = texts(state.lang);
  const typeOk = FILE_TYPES.includes(file.type) || /\.(log|txt)$/i.test(file.name);
  if (!typeOk || file.size > MAX_FILE) {
    notice(typeOk ? fill(t.attach_too_big, { mb: Math.round(MAX_FILE / 1024 / 1024) }) : t.attach_type);
    return;
  }
  // Offline, socket.io would hold the upload and send it over the next connection, which
  // may be another identity's (after identify() or reset()): files are not queued.
  const session = state.session;
  if (!session || !socket.connected) {
    notice(t.offline);
    return;
  }
  const id = newId("w", 9);
  state.seen.add(id);
  const local = { id, from: "customer", text: file.name, attachment: { name: file.name, size: file.size, type: file.type } };
  renderMessage(local, true);
  let ack;
  try {
    const data = await file.arrayBuffer();
    if (state.session !== session || !socket.connected) throw new Error("connection changed");
    ack = await socket.timeout(30000).emitWithAck("attach", { id, name: file.name, data });
  } catch {
    ack = null;
  }
  if (state.session !== session) ack = null; // its seq would be another conversation's
  const placeholder = log.querySelector(`.msg[data-id="${cssEscape(id)}"]`);
  if (ack && ack.ok) {
    if (placeholder) placeholder.replaceWith(attachmentView(ack.message, false));
    state.bySeq.set(ack.seq, ack.message);
    state.lastSeq = Math.max(state.lastSeq, ack.seq);
  } else {
    if (placeholder) placeholder.remove();
    state.seen.delete(id);
    const code = ack && ack.error && ack.error.code;
    notice(code === "too_large" ? fill(t.attach_too_big, { mb: Math.round(MAX_FILE / 1024 / 1024) }) : code === "unsupported_type" ? t.attach_type : t.offline);
  }
}

function notice(text) {
  offline.textContent = text;
  offline.hidden = false;
  setTimeout(() => {
    offline.hidden = socket.connected;
    offline.textContent = texts(state.lang).offline;
  }, 5000);
}

// Stars after an agent closed the chat: 1-5 and an optional comment, sent as `rate`.
function ratingForm(ticket) {
  const t = texts(state.lang);
  const box = el("div", { class: "rating", role: "group", "aria-label": t.rate });
  box.append(el("strong", {}, t.rate));
  const stars = el("div", { class: "stars" });
  let score = 0;
  const buttons = [];
  for (let n = 1; n <= 5; n += 1) {
    const star = el("button", { type: "button", "aria-label": fill(t.star, { n }), "aria-pressed": "false", "data-score": String(n) }, "★");
    star.addEventListener("click", () => {
      score = n;
      buttons.forEach((b, i) => {
        b.classList.toggle("on", i < n);
        b.setAttribute("aria-pressed", String(i < n));
      });
      submit.disabled = false;
    });
    buttons.push(star);
    stars.append(star);
  }
  const comment = el("textarea", { rows: "2", maxlength: "2000", placeholder: t.comment, "aria-label": t.comment });
  const submit = el("button", { type: "button", class: "send-rating", disabled: "" }, t.send_rating);
  submit.addEventListener("click", async () => {
    if (!score || !socket.connected) return;
    submit.disabled = true;
    let ack;
    try {
      ack = await socket.timeout(8000).emitWithAck("rate", { ticket, score, comment: comment.value.trim() });
    } catch {
      submit.disabled = false;
      return;
    }
    if (ack && ack.ok) {
      state.rated.add(ticket);
      box.replaceChildren(el("p", {}, t.rated));
    } else {
      submit.disabled = false;
    }
  });
  box.append(stars, comment, submit);
  return box;
}

function receive(message) {
  if (message.seq && state.bySeq.has(message.seq)) return;
  // A gap in seq: something was published while our server's link to the others was
  // down (pub/sub does not replay). The store has it: fetch what is missing.
  if (message.seq > state.lastSeq + 1 && state.lastSeq > 0) catchUp();
  if (message.seq) state.bySeq.set(message.seq, message);
  state.lastSeq = Math.max(state.lastSeq, message.seq || 0);
  if (state.seen.has(message.id)) {
    markSent(message.id); // the server only ever sends what it has stored
    return;
  }
  state.seen.add(message.id);
  if (message.lang && message.lang !== state.lang) {
    state.lang = message.lang;
    applyTexts();
  }
  if (message.from === "customer") settleChoices();
  renderMessage(message);
  if (!state.open && message.from !== "customer") {
    state.unread += 1;
    badge.textContent = String(state.unread);
    badge.hidden = false;
    badge.setAttribute("aria-label", `${state.unread} ${texts(state.lang).unread}`);
  }
}

function showTicket(ticket) {
  if (!ticket) {
    banner.hidden = true;
    state.ticket = null;
    return;
  }
  state.ticket = ticket;
  const t = texts(state.lang);
  let text = `: ${ticket.title}`;
  if (ticket.status === "closed") {
    text += ` · ${t.closed}`;
  } else if (ticket.agent && ticket.agent.name) {
    text += ` · ${fill(t.joined, { agent: ticket.agent.name })}`;
  } else if (ticket.position && ticket.agents_online) {
    text += ` · ${t.queue}: ${ticket.position}`;
  } else if (ticket.expected_text) {
    text += ` · ${t.expected}: ${ticket.expected_text}`; // written out by the server
  }
  banner.replaceChildren(`${t.ticket} `, el("span", { class: "number" }, ticket.number), text);
  banner.hidden = false;
}

function showPosition(update) {
  if (state.ticket && update && state.ticket.number === update.number) {
    showTicket({ ...state.ticket, position: update.position, agents_online: update.agents_online });
  }
}

// The identity the next connection will be: the portal's customer, or this browser's visitor.
function currentScope() {
  return scopeOf(state.userToken, localStorage.getItem(TOKEN_KEY));
}

function sendMessage(text, value, askId) {
  const item = { id: newId("w", 9), text };
  if (value) item.value = value;
  if (value && askId) item.ask_id = askId;
  // Into the conversation on screen while one is open, else the identity connected next.
  const scope = state.session ? state.session.scope : currentScope();
  outboxOf(scope).add(item);
  state.seen.add(item.id);
  renderMessage({ id: item.id, from: "customer", text }, true);
  flushSoon();
}

function bubbleOf(id) {
  return log.querySelector(`.msg[data-id="${cssEscape(id)}"]`);
}

function unsentNote(id) {
  return log.querySelector(`.unsent[data-for="${cssEscape(id)}"]`);
}

// Stored by the server: only now does the bubble look sent.
function markSent(id) {
  const bubble = bubbleOf(id);
  if (bubble) bubble.classList.remove("pending", "failed");
  const note = unsentNote(id);
  if (note) note.remove();
}

// Refused for good: the bubble says "not sent", with a button to send it again.
function markNotSent(scope, id, code) {
  const bubble = bubbleOf(id);
  if (!bubble) return;
  bubble.classList.remove("pending");
  bubble.classList.add("failed");
  let note = unsentNote(id);
  if (!note) {
    note = el("div", { class: "unsent", role: "status", "data-for": id });
    const retry = el("button", { type: "button", class: "retry" });
    retry.addEventListener("click", () => retryMessage(scope, id));
    note.append(el("span"), retry);
    bubble.after(note);
  }
  note.dataset.code = code;
  unsentTexts(note);
}

function unsentTexts(note) {
  const t = texts(state.lang);
  note.querySelector("span").textContent = note.dataset.code === "too_long" ? t.not_sent_long : t.not_sent;
  note.querySelector("button").textContent = t.retry;
}

function retryMessage(scope, id) {
  const item = outboxOf(scope).find(id);
  if (!item) return; // another tab of this browser sent it meanwhile
  const note = unsentNote(id);
  if (note) note.remove();
  const bubble = bubbleOf(id);
  if (bubble) {
    bubble.classList.remove("failed");
    bubble.classList.add("pending");
  }
  outboxOf(scope).unrefuse(id);
  // The conversation is gone (erased): a new connection of the same identity opens a new
  // one, and sends the message there.
  if (item.failed === "not_found") reconnect();
  else flushSoon();
}

// An identity's unsent messages, drawn after what the server already has: a reload or
// the identity's return shows them as waiting, or as not sent.
function showOutbox(scope) {
  for (const item of outboxOf(scope).items()) {
    if (state.seen.has(item.id)) continue;
    state.seen.add(item.id);
    renderMessage({ id: item.id, from: "customer", text: item.text }, true);
    if (item.failed) markNotSent(scope, item.id, item.failed);
  }
}

// The session's sender of its identity's outbox (shared/outbox.js has the retry rule);
// null until the screen shows what the server has.
let sender = null;

function flushSoon() {
  if (sender) sender.flushSoon();
}

function startSending(session) {
  stopSending();
  const t = () => texts(state.lang);
  sender = new OutboxSender(outboxOf(session.scope), {
    // Checked right before each emit: socket.io would hold a packet emitted offline for
    // the next connection, which may be another identity's.
    canSend: () => state.session === session && socket.connected,
    send: (payload) => socket.timeout(ACK_TIMEOUT).emitWithAck("message", payload),
    onSent(item, ack, recovered) {
      const { failed, ...payload } = item;
      markSent(item.id);
      state.bySeq.set(ack.seq, { ...payload, from: "customer", seq: ack.seq });
      state.lastSeq = Math.max(state.lastSeq, ack.seq);
      if (recovered) {
        offline.hidden = true;
        offline.textContent = t().offline;
      }
    },
    // Refused for good: the same message would be refused again, so it waits for the customer.
    onRefused: (item, error) => markNotSent(session.scope, item.id, error.code),
    // Kept, still drawn as waiting; fair use says how long to wait.
    onWait(error) {
      offline.textContent = error && error.code === "rate_limited" ? t().slow : t().unavailable;
      offline.hidden = false;
    },
  });
  return sender;
}

function stopSending() {
  if (sender) sender.stop();
  sender = null;
}

async function catchUp() {
  for (let page = 0; page < 50; page += 1) {
    let answer;
    try {
      answer = await socket.timeout(8000).emitWithAck("history", { after: state.lastSeq });
    } catch {
      return;
    }
    if (!answer || !answer.ok) return;
    for (const message of answer.messages) receive(message);
    if (!answer.more) return;
  }
}

const socket = io(SERVER, {
  transports: ["websocket"],
  autoConnect: false,
  auth: (cb) => {
    const auth = { locale: state.locale };
    const token = localStorage.getItem(TOKEN_KEY);
    if (state.userToken) auth.user_token = state.userToken;
    else if (token) auth.visitor_token = token;
    state.connecting = scopeOf(state.userToken, token);
    cb(auth);
  },
});

socket.on("session", async (session) => {
  let scope = state.connecting; // who the server let in: the identity this connection sent
  if (session.visitor_token) {
    localStorage.setItem(TOKEN_KEY, session.visitor_token);
    scope = scopeOf(null, session.visitor_token);
    // The server started a visitor for this browser, which had none: what was written
    // meanwhile is this visitor's.
    if (state.connecting === NEW_VISITOR) moveOutbox(NEW_VISITOR, scope);
  }
  const live = { scope, conversation: session.conversation_id };
  state.session = live;
  stopSending(); // a new connection: its own sender sends at once
  offline.textContent = texts(state.lang).offline;
  if (state.conversation && state.conversation !== session.conversation_id) resetScreen();
  state.conversation = session.conversation_id;
  state.lang = session.language || state.lang;
  state.welcome = session.welcome || null;
  applyTexts();
  showTicket(session.ticket);
  offline.hidden = true;
  await catchUp();
  if (state.session !== live) return;
  // Sent only once the screen shows what the server has, and then what is still unsent.
  if (!session.last_seq) showWelcome();
  showOutbox(scope);
  await startSending(live).flush();
});
socket.on("message", receive);
socket.on("ticket", showTicket);
socket.on("resync", () => catchUp()); // after an outage on our side: fetch what was missed
socket.on("queue", showPosition);
socket.on("typing", (event) => {
  const on = Boolean(event && event.on && event.from !== "customer");
  typing.textContent = on && event.name ? `${event.name}: ${texts(state.lang).typing}` : texts(state.lang).typing;
  typing.hidden = !on;
});
socket.on("disconnect", () => {
  state.session = null;
  stopSending();
  offline.textContent = texts(state.lang).offline;
  offline.hidden = false;
  typing.hidden = true;
});
socket.on("connect_error", (error) => {
  const code = error && error.data && error.data.code;
  if (code === "invalid_token" && !state.userToken) {
    // Forged or from another server: start afresh. The refused token names no conversation
    // anyone can reach; what this browser wrote under it goes to the visitor it becomes.
    if (state.connecting && state.connecting.startsWith("v")) moveOutbox(state.connecting, NEW_VISITOR);
    localStorage.removeItem(TOKEN_KEY);
    socket.connect();
  } else if (code === "invalid_token") {
    // The portal's signed login was refused (expired or not valid): say so, and do not
    // fall back to an anonymous chat that would not know the customer.
    offline.textContent = texts(state.lang).identity;
    offline.hidden = false;
  } else if (code === "temporarily_unavailable" || code === "rate_limited") {
    // Refused for now, not for good: say so and try again (socket.io does not retry a
    // refused connection by itself).
    offline.textContent = texts(state.lang)[code === "rate_limited" ? "slow" : "unavailable"];
    offline.hidden = false;
    setTimeout(() => socket.connect(), 3000 + Math.random() * 2000);
  } else {
    offline.hidden = false;
  }
});

function resetScreen() {
  log.replaceChildren();
  state.speaker = null;
  state.seen.clear();
  state.bySeq.clear();
  state.lastSeq = 0;
  banner.hidden = true;
}

// Another identity's chat opens next: nothing of this one stays on screen, and nothing
// more is sent over its connection (flush stops at the changed session).
function leaveConversation() {
  state.session = null;
  stopSending();
  state.conversation = null;
  resetScreen();
  showTicket(null);
}

function open() {
  state.open = true;
  panel.hidden = false;
  launcher.setAttribute("aria-expanded", "true");
  launcher.setAttribute("aria-label", texts(state.lang).close);
  state.unread = 0;
  badge.hidden = true;
  input.focus();
  scrollDown();
}

function close() {
  state.open = false;
  panel.hidden = true;
  launcher.setAttribute("aria-expanded", "false");
  launcher.setAttribute("aria-label", texts(state.lang).open);
  launcher.focus();
}

launcher.addEventListener("click", () => (state.open ? close() : open()));
attachButton.addEventListener("click", () => fileInput.click());
fileInput.addEventListener("change", () => {
  for (const file of fileInput.files || []) sendFile(file);
  fileInput.value = "";
});
closeButton.addEventListener("click", close);
panel.addEventListener("keydown", (event) => {
  if (event.key === "Escape") close();
});
form.addEventListener("submit", (event) => {
  event.preventDefault();
  const text = input.value.trim();
  if (!text) return;
  input.value = "";
  sendMessage(text.slice(0, 4000));
});
input.addEventListener("keydown", (event) => {
  if (event.key === "Enter" && !event.shiftKey) {
    event.preventDefault();
    form.requestSubmit();
  }
});
let typingTimer = null;
input.addEventListener("input", () => {
  if (!socket.connected) return;
  if (!typingTimer) socket.emit("typing", { on: true });
  clearTimeout(typingTimer);
  typingTimer = setTimeout(() => {
    if (socket.connected) socket.emit("typing", { on: false });
    typingTimer = null;
  }, 1500);
});

function reconnect() {
  socket.disconnect();
  // What socket.io buffered while the connection was down would go out over the next one,
  // whoever it is for: the outbox, not this buffer, is what is sent again.
  socket.sendBuffer = [];
  socket.connect();
}

window.Chatbot = {
  open,
  close,
  identify(userToken) {
    // The previous identity's unsent messages stay in its own outbox and go out when it
    // is back (the same customer logging in again, the visitor after identify(null)):
    // the person writing now may not be the one who wrote them.
    const before = currentScope();
    state.userToken = userToken || null;
    if (currentScope() !== before) leaveConversation();
    reconnect();
  },
  setLocale(lang) {
    state.locale = lang;
    state.lang = lang;
    applyTexts();
  },
  reset() {
    // On logout: forget this visitor on this device, and drop every unsent message on it
    // rather than keep it for a later login. The device may be shared: the next person
    // must neither find a logged-out customer's words in storage nor send them, and the
    // anonymous visitor forgotten here can never come back to send its own.
    state.userToken = null;
    localStorage.removeItem(TOKEN_KEY);
    dropOutboxes();
    leaveConversation();
    reconnect();
  },
};

function start() {
  document.body.append(host);
  state.lang = state.locale.slice(0, 2);
  applyTexts();
  const identity = script && script.dataset.userToken;
  if (identity) state.userToken = identity;
  adoptLegacyOutbox(currentScope());
  socket.connect();
}

if (document.body) start();
else document.addEventListener("DOMContentLoaded", start);
