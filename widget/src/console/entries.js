// Transcript entries: messages (customer, bot, agent, system) and internal notes.
import { attachmentNode } from "./attachments.js";
import { el, link } from "../shared/dom.js";
import { clockTime } from "../shared/format.js";

const SYSTEM_EVENTS = {
  queue_position: () => "Customer is waiting in the queue",
  queue_offline: () => "Nobody was online: customer told when to expect an answer",
  queue_offline_email: () => "Nobody was online: customer told the answer comes by e-mail",
  agent_joined: (m) => `${agentName(m) || "An agent"} joined the chat`,
  agent_transferred: (m) => `Chat transferred to ${agentName(m) || "another agent"}`,
  agent_released: () => "Chat released back to the queue",
  chat_closed: () => "Chat closed; customer asked for a rating",
  rating_thanks: () => "Customer rated the chat",
};

function agentName(message) {
  return message && message.agent && typeof message.agent.name === "string" ? message.agent.name : "";
}

/** Sort key: server time in ms, then seq, so notes and messages interleave by time. */
export function messageKey(message) {
  const at = Date.parse(message.at);
  const base = Number.isFinite(at) ? at : Date.now();
  return base + ((Number(message.seq) || 0) % 1000) / 1000;
}

export function noteKey(note) {
  const at = Date.parse(note.at);
  return Number.isFinite(at) ? at : Date.now();
}

function cards(articles) {
  return (Array.isArray(articles) ? articles : []).map((article) => {
    const card = el("div", { class: "card" });
    card.append(el("div", { class: "card-title" }, String(article.title || article.id || "Article")));
    if (article.summary) card.append(el("div", { class: "card-summary" }, String(article.summary)));
    const anchor = link(article.url, "Open article ↗", location.href);
    if (anchor) card.append(anchor);
    return card;
  });
}

function meta(author, at, extra) {
  return el(
    "div",
    { class: "msg-meta" },
    el("span", { class: "msg-author" }, author),
    extra || null,
    el("time", { class: "msg-time", datetime: at || null }, at ? clockTime(at) : ""),
  );
}

/** A message from the transcript. ctx: {customerName, meId}. */
export function messageNode(message, ctx = {}) {
  const from = ["customer", "bot", "agent", "system"].includes(message.from) ? message.from : "system";
  const node = el("div", { class: `msg ${from}` });
  if (message.seq) node.setAttribute("data-seq", String(message.seq));
  if (message.id) node.setAttribute("data-id", String(message.id));
  const text = typeof message.text === "string" ? message.text : "";

  if (from === "system") {
    const summary = SYSTEM_EVENTS[message.event] ? SYSTEM_EVENTS[message.event](message) : "";
    const line = el("div", { class: "system-line" });
    line.append(el("span", { class: "system-summary" }, summary || text));
    if (message.at) line.append(el("time", { class: "msg-time", datetime: message.at }, clockTime(message.at)));
    node.append(line);
    if (summary && text) node.append(el("div", { class: "system-original" }, text));
    return node;
  }

  let author;
  if (from === "customer") author = ctx.customerName || "Customer";
  else if (from === "bot") author = "Bot";
  else {
    const name = agentName(message) || "Agent";
    author = message.agent && ctx.meId && message.agent.id === ctx.meId ? `${name} (you)` : name;
  }
  const badge = message.redacted ? el("span", { class: "tag tag-warn", title: "Sensitive data was removed" }, "redacted") : null;
  node.append(meta(author, message.at, badge));

  const bubble = el("div", { class: "bubble" });
  const file = message.attachment;
  if (file && typeof file === "object") {
    // The message's text is only the file's name: the attachment view says it all.
    bubble.classList.add("file-only");
    bubble.append(attachmentNode(file));
    node.append(bubble);
    return node;
  }
  const articles = Array.isArray(message.articles) ? message.articles : [];
  // With article cards the bubble keeps the intro; the cards carry title and summary.
  const shown = articles.length && from === "bot" ? text.split("\n\n")[0] : text;
  if (shown.trim()) bubble.append(el("div", { class: "msg-text" }, shown));
  else if (articles.length) bubble.classList.add("card-only");
  bubble.append(...cards(articles));
  if (!bubble.childNodes.length) bubble.append(el("div", { class: "msg-text muted" }, "(empty)"));
  node.append(bubble);

  if (message.ask && Array.isArray(message.ask.options) && message.ask.options.length) {
    const ask = el("div", { class: "ask" }, el("span", { class: "ask-label" }, "Options:"));
    for (const option of message.ask.options) {
      ask.append(el("span", { class: "chip" }, String(option.label || option.value || "")));
    }
    node.append(ask);
  } else if (message.ask && message.ask.field && from === "bot") {
    node.append(el("div", { class: "ask" }, el("span", { class: "ask-label" }, `Asks for: ${String(message.ask.field).replace(/_/g, " ")}`)));
  }
  return node;
}

export function noteNode(note, ctx = {}) {
  const node = el("div", { class: "msg note" });
  if (note.id) node.setAttribute("data-id", String(note.id));
  const agent = note.agent && typeof note.agent.name === "string" ? note.agent.name : "Agent";
  const mine = note.agent && ctx.meId && note.agent.id === ctx.meId;
  node.append(meta(`Internal note · ${mine ? `${agent} (you)` : agent}`, note.at));
  node.append(el("div", { class: "bubble" }, el("div", { class: "msg-text" }, String(note.text || ""))));
  return node;
}
