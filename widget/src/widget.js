// The chat widget: one <script src=".../widget.js" data-server data-locale async> tag.
// Everything from the network is rendered with textContent: never as HTML.
import { io } from "socket.io-client";
import { CSS } from "./styles.js";
import { texts } from "./i18n.js";

const script = document.currentScript;
const SERVER = (script && script.dataset.server) || (script ? new URL(script.src).origin : location.origin);
const TOKEN_KEY = "chatbot.visitor_token";
const QUEUE_KEY = "chatbot.outbox";

const state = {
  locale: (script && script.dataset.locale) || document.documentElement.lang || "en",
  userToken: null,
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

function el(tag, attrs = {}, text) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, value);
  if (text !== undefined) node.textContent = text;
  return node;
}

const launcher = el("button", { class: "launcher", type: "button", "aria-haspopup": "dialog" });
launcher.append(chatIcon());
const badge = el("span", { class: "badge", hidden: "" });
launcher.append(badge);
const panel = el("section", { class: "panel", role: "dialog", hidden: "" });
const header = el("header");
const heading = el("h2");
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
  heading.textContent = t.title;
  launcher.setAttribute("aria-label", t.open);
  closeButton.setAttribute("aria-label", t.close);
  input.setAttribute("placeholder", t.placeholder);
  input.setAttribute("aria-label", t.placeholder);
  send.textContent = t.send;
  attachButton.setAttribute("aria-label", t.attach);
  attachButton.setAttribute("title", t.attach);
  typing.textContent = t.typing;
  offline.textContent = t.offline;
  log.setAttribute("aria-label", t.log);
}

function safeUrl(url) {
  try {
    const parsed = new URL(url);
    return parsed.protocol === "https:" || parsed.protocol === "http:" ? parsed.href : null;
  } catch {
    return null;
  }
}

function scrollDown() {
  log.scrollTop = log.scrollHeight;
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

function fill(template, values) {
  return template.replace(/\{(\w+)\}/g, (whole, key) => (key in values ? String(values[key]) : whole));
}

function renderMessage(message, pending = false) {
  // With an article card, the card shows title and summary: the bubble keeps the intro.
  const hasCards = message.articles && message.articles.length;
  const text = hasCards && message.from === "bot" ? message.text.split("\n\n")[0] : message.text;
  if (message.from === "agent") {
    const name = (message.agent && message.agent.name) || texts(state.lang).agent;
    log.append(el("div", { class: "who" }, name));
  }
  if (message.attachment) {
    log.append(attachmentView(message, pending));
  } else if (text || !hasCards) {
    const bubble = el("div", { class: `msg ${message.from}${pending ? " pending" : ""}`, "data-id": message.id }, text);
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
  const id = newId();
  state.seen.add(id);
  const local = { id, from: "customer", text: file.name, attachment: { name: file.name, size: file.size, type: file.type } };
  renderMessage(local, true);
  let ack;
  try {
    const data = await file.arrayBuffer();
    ack = await socket.timeout(30000).emitWithAck("attach", { id, name: file.name, data });
  } catch {
    ack = null;
  }
  const placeholder = log.querySelector(`.msg[data-id="${CSS_ESCAPE(id)}"]`);
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
    if (!score) return;
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
    const pending = log.querySelector(`.msg.pending[data-id="${CSS_ESCAPE(message.id)}"]`);
    if (pending) pending.classList.remove("pending");
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

function CSS_ESCAPE(value) {
  return window.CSS && window.CSS.escape ? window.CSS.escape(value) : value.replace(/["\\]/g, "\\$&");
}

function showTicket(ticket) {
  if (!ticket) {
    banner.hidden = true;
    state.ticket = null;
    return;
  }
  state.ticket = ticket;
  const t = texts(state.lang);
  let text = `${t.ticket} ${ticket.number}: ${ticket.title}`;
  if (ticket.status === "closed") {
    text += ` · ${t.closed}`;
  } else if (ticket.agent && ticket.agent.name) {
    text += ` · ${fill(t.joined, { agent: ticket.agent.name })}`;
  } else if (ticket.position && ticket.agents_online) {
    text += ` · ${t.queue}: ${ticket.position}`;
  } else if (ticket.expected_response) {
    const when = new Date(ticket.expected_response);
    const format = { dateStyle: "medium", timeStyle: "short" };
    text += ` · ${t.expected}: ${when.toLocaleString(state.lang, format)}`;
  }
  banner.textContent = text;
  banner.hidden = false;
}

function showPosition(update) {
  if (state.ticket && update && state.ticket.number === update.number) {
    showTicket({ ...state.ticket, position: update.position, agents_online: update.agents_online });
  }
}

// The outbox survives reloads and flaky connections: each message keeps its client id
// until the server acknowledges it, so a retry is stored once.
function outbox() {
  try {
    return JSON.parse(localStorage.getItem(QUEUE_KEY) || "[]");
  } catch {
    return [];
  }
}

function saveOutbox(items) {
  localStorage.setItem(QUEUE_KEY, JSON.stringify(items));
}

function newId() {
  const bytes = new Uint8Array(9);
  crypto.getRandomValues(bytes);
  return "w" + Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

function sendMessage(text, value, askId) {
  const item = { id: newId(), text };
  if (value) item.value = value;
  if (value && askId) item.ask_id = askId;
  saveOutbox([...outbox(), item]);
  state.seen.add(item.id);
  renderMessage({ id: item.id, from: "customer", text }, true);
  flush();
}

let flushing = false;
async function flush() {
  if (flushing || !socket.connected) return;
  flushing = true;
  try {
    for (const item of outbox()) {
      let ack;
      try {
        ack = await socket.timeout(8000).emitWithAck("message", item);
      } catch {
        return; // no answer: retried with the same id after the next reconnect
      }
      if (ack && !ack.ok && ack.error && ack.error.code === "temporarily_unavailable") {
        // Our side has a passing fault (storage down): keep the message, say so, retry.
        offline.textContent = texts(state.lang).unavailable;
        offline.hidden = false;
        setTimeout(() => {
          offline.hidden = true;
          offline.textContent = texts(state.lang).offline;
          flush();
        }, 3000);
        return;
      }
      if (ack && !ack.ok && ack.error && ack.error.code === "rate_limited") {
        // Fair use: keep it, say so politely, resend the same id when allowed.
        offline.textContent = texts(state.lang).slow;
        offline.hidden = false;
        const wait = Math.max(1, parseFloat(ack.error.retry_after) || 2) * 1000;
        setTimeout(() => {
          offline.hidden = true;
          offline.textContent = texts(state.lang).offline;
          flush();
        }, wait);
        return;
      }
      saveOutbox(outbox().filter((queued) => queued.id !== item.id));
      const bubble = log.querySelector(`.msg[data-id="${CSS_ESCAPE(item.id)}"]`);
      if (bubble) bubble.classList.remove("pending");
      if (ack && ack.ok) {
        state.bySeq.set(ack.seq, item);
        state.lastSeq = Math.max(state.lastSeq, ack.seq);
      }
    }
  } finally {
    flushing = false;
  }
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
    cb(auth);
  },
});

socket.on("session", async (session) => {
  offline.textContent = texts(state.lang).offline;
  if (session.visitor_token) localStorage.setItem(TOKEN_KEY, session.visitor_token);
  if (state.conversation && state.conversation !== session.conversation_id) resetScreen();
  state.conversation = session.conversation_id;
  state.lang = session.language || state.lang;
  applyTexts();
  showTicket(session.ticket);
  offline.hidden = true;
  await catchUp();
  await flush();
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
  offline.hidden = false;
  typing.hidden = true;
});
socket.on("connect_error", (error) => {
  const code = error && error.data && error.data.code;
  if (code === "invalid_token" && !state.userToken) {
    localStorage.removeItem(TOKEN_KEY); // forged or from another server: start afresh
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
  state.seen.clear();
  state.bySeq.clear();
  state.lastSeq = 0;
  banner.hidden = true;
}

function open() {
  state.open = true;
  panel.hidden = false;
  launcher.setAttribute("aria-expanded", "true");
  state.unread = 0;
  badge.hidden = true;
  input.focus();
  scrollDown();
}

function close() {
  state.open = false;
  panel.hidden = true;
  launcher.setAttribute("aria-expanded", "false");
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
    socket.emit("typing", { on: false });
    typingTimer = null;
  }, 1500);
});

function reconnect() {
  socket.disconnect();
  socket.connect();
}

window.Chatbot = {
  open,
  close,
  identify(userToken) {
    state.userToken = userToken || null;
    reconnect();
  },
  setLocale(lang) {
    state.locale = lang;
    state.lang = lang;
    applyTexts();
  },
  reset() {
    // On logout: forget this visitor on this device.
    state.userToken = null;
    localStorage.removeItem(TOKEN_KEY);
    localStorage.removeItem(QUEUE_KEY);
    resetScreen();
    reconnect();
  },
};

function start() {
  document.body.append(host);
  state.lang = state.locale.slice(0, 2);
  applyTexts();
  const identity = script && script.dataset.userToken;
  if (identity) state.userToken = identity;
  socket.connect();
}

if (document.body) start();
else document.addEventListener("DOMContentLoaded", start);
