// The message log: bubbles, who speaks, article cards, answer buttons, the rating form,
// the server's welcome, and the marks of the customer's own messages (waiting, not sent).
import { cssEscape, el, link } from "../shared/dom.js";
import { timeOfDay } from "../shared/format.js";
import { attachmentView } from "./attachments.js";
import { texts } from "./i18n.js";
import { botIcon } from "./icons.js";
import { ratingForm } from "./rating.js";

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

/**
 * chat (chat.js), view (view.js), server: the chat server's origin (attachment links)
 * hooks:
 *   choose(label, value, askId): the customer pressed an answer button
 *   retry(scope, id): the customer pressed retry on a message not sent
 *   rate(payload) -> Promise<ack>: send a rating
 *   read(article): the customer opens an article card, to read it inside the widget
 */
export function createMessages({ chat, view, server, hooks }) {
  const log = view.log;
  let speaker = null; // who said the last message on screen, to name each speaker once

  // A message's time of day in the widget's language (not the browser's).
  const clock = (iso) => timeOfDay(iso, chat.lang);

  // Who speaks, once per run of their messages: a small avatar, the name and the time.
  function speakerRow(message, last = true) {
    const t = texts(chat.lang);
    const bot = message.from !== "agent";
    const name = bot ? t.assistant : (message.agent && message.agent.name) || t.agent;
    const key = bot ? "bot" : `agent:${name}`;
    if (last && speaker === key) return null;
    if (last) speaker = key;
    const row = el("div", { class: `who ${bot ? "bot" : "agent"}` });
    const avatar = el("span", { class: "avatar", "aria-hidden": "true" });
    if (bot) avatar.append(botIcon());
    else avatar.textContent = Array.from(name.trim())[0] || "?";
    const label = el("span", { class: "name" }, name);
    if (bot) label.setAttribute("data-bot", "");
    row.append(avatar, label);
    if (message.at) row.append(el("time", { datetime: message.at }, clock(message.at)));
    return row;
  }

  /** The server's welcome, first in a conversation that has no messages yet. */
  function showWelcome() {
    const welcome = chat.welcome;
    if (!welcome || !welcome.text || log.querySelector(".welcome") || chat.bySeq.size) return;
    const box = el("div", { class: "msg welcome" });
    box.append(el("p", {}, welcome.text));
    if (welcome.hours) box.append(el("p", { class: "hours" }, welcome.hours));
    const first = !log.firstChild; // else the customer already wrote below it
    log.prepend(speakerRow({ from: "bot" }, first), box);
    view.scrollDown();
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

  function articleCard(article) {
    const card = el("div", { class: "card" });
    card.append(el("strong", {}, article.title), el("p", {}, article.summary || ""));
    const t = texts(chat.lang);
    if (article.id) {
      const read = el("button", { type: "button", class: "read" }, t.read);
      read.addEventListener("click", () => hooks.read(article));
      card.append(read);
    } else {
      const page = link(article.url || "", t.read);
      if (page) card.append(page);
    }
    return card;
  }

  function choices(ask) {
    const askId = ask.id || "";
    const group = el("div", { class: "choices", role: "group", "data-ask": askId });
    for (const option of ask.options) {
      const button = el("button", { type: "button", "data-value": option.value }, option.label);
      button.addEventListener("click", () => {
        if (button.disabled) return;
        settleChoices();
        hooks.choose(option.label, option.value, askId);
      });
      group.append(button);
    }
    return group;
  }

  /** A message at the end of the log; `pending`: the customer's, not yet stored. */
  function render(message, pending = false) {
    // With an article card, the card shows title and summary: the bubble keeps the intro.
    const hasCards = message.articles && message.articles.length;
    const text = hasCards && message.from === "bot" ? message.text.split("\n\n")[0] : message.text;
    if (message.from === "bot" || message.from === "agent") {
      const row = speakerRow(message);
      if (row) log.append(row);
    } else {
      speaker = null;
    }
    if (message.attachment) {
      log.append(attachmentView(message, pending, server));
    } else if (text || !hasCards) {
      const bubble = withNumbers(el("div", { class: `msg ${message.from}${pending ? " pending" : ""}`, "data-id": message.id }), text);
      if (message.seq) bubble.setAttribute("data-seq", String(message.seq));
      log.append(bubble);
    }
    if (message.event === "rating_thanks") {
      for (const node of log.querySelectorAll(".rating")) node.remove();
    }
    if (message.ask && message.ask.kind === "rating") {
      if (!chat.rated.has(message.ask.ticket)) log.append(ratingForm(message.ask.ticket, chat, hooks.rate));
    }
    for (const article of message.articles || []) log.append(articleCard(article));
    if (message.ask || message.from === "customer") settleChoices();
    if (message.ask && message.ask.options && message.ask.options.length) log.append(choices(message.ask));
    view.scrollDown();
  }

  function bubbleOf(id) {
    return log.querySelector(`.msg[data-id="${cssEscape(id)}"]`);
  }

  function unsentNote(id) {
    return log.querySelector(`.unsent[data-for="${cssEscape(id)}"]`);
  }

  /** Stored by the server: only now does the bubble look sent. */
  function markSent(id) {
    const bubble = bubbleOf(id);
    if (bubble) bubble.classList.remove("pending", "failed");
    const note = unsentNote(id);
    if (note) note.remove();
  }

  /** Refused for good: the bubble says "not sent", with a button to send it again. */
  function markNotSent(scope, id, code) {
    const bubble = bubbleOf(id);
    if (!bubble) return;
    bubble.classList.remove("pending");
    bubble.classList.add("failed");
    let note = unsentNote(id);
    if (!note) {
      note = el("div", { class: "unsent", role: "status", "data-for": id });
      const retry = el("button", { type: "button", class: "retry" });
      retry.addEventListener("click", () => hooks.retry(scope, id));
      note.append(el("span"), retry);
      bubble.after(note);
    }
    note.dataset.code = code;
    unsentTexts(note);
  }

  /** The customer pressed retry: the bubble waits again. */
  function markWaiting(id) {
    const note = unsentNote(id);
    if (note) note.remove();
    const bubble = bubbleOf(id);
    if (bubble) {
      bubble.classList.remove("failed");
      bubble.classList.add("pending");
    }
  }

  function unsentTexts(note) {
    const t = texts(chat.lang);
    note.querySelector("span").textContent = note.dataset.code === "too_long" ? t.not_sent_long : t.not_sent;
    note.querySelector("button").textContent = t.retry;
  }

  /** The log's texts in the chat's language, after it changed. */
  function retranslate() {
    const t = texts(chat.lang);
    for (const note of log.querySelectorAll(".unsent")) unsentTexts(note);
    for (const stamp of log.querySelectorAll("time[datetime]")) stamp.textContent = clock(stamp.getAttribute("datetime"));
    for (const name of log.querySelectorAll(".who .name[data-bot]")) name.textContent = t.assistant;
  }

  function clear() {
    log.replaceChildren();
    speaker = null;
  }

  return { render, showWelcome, settleChoices, bubbleOf, markSent, markNotSent, markWaiting, retranslate, clear };
}
