// The widget's frame: the launcher, the panel with its header, banner, status line, log,
// typing line and composer, in a Shadow DOM the host page's CSS cannot reach. It opens
// and closes, counts unread messages on the launcher, and keeps the log at its newest
// message while the panel resizes. A pane (the earlier conversations, an article) can
// take the log's place until the customer goes back.
import { el } from "../shared/dom.js";
import { chatIcon, clipIcon, listIcon } from "./icons.js";
import { texts } from "./i18n.js";
import { CSS } from "./styles.js";

/** chat: the conversation state (chat.js), for the language and the server's welcome */
export function createView(chat) {
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

  const launcher = el("button", { class: "launcher", type: "button", "aria-haspopup": "dialog", "aria-expanded": "false" });
  launcher.append(chatIcon());
  const badge = el("span", { class: "badge", hidden: "" });
  launcher.append(badge);
  const panel = el("section", { class: "panel", role: "dialog", "aria-labelledby": "chatbot-title", hidden: "" });
  const header = el("header");
  const heading = el("h2", { id: "chatbot-title" });
  const closeButton = el("button", { type: "button" }, "×");
  const historyButton = el("button", { type: "button", class: "history" });
  historyButton.append(listIcon());
  header.append(historyButton, heading, closeButton);
  const banner = el("div", { class: "banner", hidden: "", role: "status" });
  const statusLine = el("div", { class: "offline", hidden: "", role: "status" });
  const log = el("div", { class: "log", role: "log", "aria-live": "polite" });
  const typing = el("div", { class: "typing", hidden: "" });
  const form = el("form");
  const input = el("textarea", { rows: "1" });
  const send = el("button", { type: "submit" });
  const attachButton = el("button", { type: "button", class: "attach" });
  attachButton.append(clipIcon());
  const fileInput = el("input", { type: "file", accept: "image/png,image/jpeg,application/pdf,text/plain,.log,.txt", hidden: "" });
  form.append(attachButton, fileInput, input, send);
  const pane = el("div", { class: "pane", hidden: "" });
  panel.append(header, banner, statusLine, pane, log, typing, form);
  root.append(launcher, panel);

  let isOpen = false;
  let unread = 0;
  let atBottom = true; // the log shows its newest message: keep it so when the panel resizes

  /** The frame's own texts in the chat's language (the log's are messages.js's). */
  function applyTexts() {
    const t = texts(chat.lang);
    heading.textContent = (chat.welcome && chat.welcome.title) || t.title;
    launcher.setAttribute("aria-label", isOpen ? t.close : t.open);
    closeButton.setAttribute("aria-label", t.close);
    historyButton.setAttribute("aria-label", t.conversations);
    historyButton.setAttribute("title", t.conversations);
    input.setAttribute("placeholder", t.placeholder);
    input.setAttribute("aria-label", t.placeholder);
    send.textContent = t.send;
    attachButton.setAttribute("aria-label", t.attach);
    attachButton.setAttribute("title", t.attach);
    typing.textContent = t.typing;
    log.setAttribute("aria-label", t.log);
  }

  function scrollDown() {
    log.scrollTop = log.scrollHeight;
    atBottom = true;
  }

  // When the banner, the typing line or a notice appears, the log gets shorter: the newest
  // message (often the system's "your ticket..." line) must not end up hidden below.
  // Measured against the height the log had before a resize: the scroll event of a shrink
  // comes before the observer, and must not count as the customer scrolling up.
  let logHeight = 0;
  log.addEventListener("scroll", () => {
    atBottom = log.scrollHeight - log.scrollTop - (logHeight || log.clientHeight) < 24;
  });
  if (window.ResizeObserver) {
    new ResizeObserver(() => {
      if (atBottom) log.scrollTop = log.scrollHeight;
      logHeight = log.clientHeight;
    }).observe(log);
  }

  function open() {
    isOpen = true;
    panel.hidden = false;
    launcher.setAttribute("aria-expanded", "true");
    launcher.setAttribute("aria-label", texts(chat.lang).close);
    unread = 0;
    badge.hidden = true;
    input.focus();
    scrollDown();
  }

  function close() {
    isOpen = false;
    panel.hidden = true;
    launcher.setAttribute("aria-expanded", "false");
    launcher.setAttribute("aria-label", texts(chat.lang).open);
    launcher.focus();
  }

  /** A message from the bot or an agent while the panel is closed. */
  function countUnread() {
    if (isOpen) return;
    unread += 1;
    badge.textContent = String(unread);
    badge.hidden = false;
    badge.setAttribute("aria-label", `${unread} ${texts(chat.lang).unread}`);
  }

  /** `nodes` take the log's place (the composer and banner hide) until hidePane(). */
  function showPane(...nodes) {
    pane.replaceChildren(...nodes);
    pane.hidden = false;
    panel.classList.add("paned");
    pane.scrollTop = 0;
  }

  function hidePane() {
    if (pane.hidden) return;
    pane.hidden = true;
    pane.replaceChildren();
    panel.classList.remove("paned");
    scrollDown();
    input.focus();
  }

  function showTyping(on, name) {
    const t = texts(chat.lang);
    typing.textContent = on && name ? `${name}: ${t.typing}` : t.typing;
    typing.hidden = !on;
  }

  launcher.addEventListener("click", () => (isOpen ? close() : open()));
  closeButton.addEventListener("click", close);
  panel.addEventListener("keydown", (event) => {
    if (event.key !== "Escape") return;
    if (pane.hidden) close();
    else hidePane(); // Escape goes back to the chat first
  });

  return {
    host,
    historyButton,
    banner,
    statusLine,
    log,
    form,
    input,
    attachButton,
    fileInput,
    applyTexts,
    scrollDown,
    open,
    close,
    countUnread,
    showTyping,
    showPane,
    hidePane,
    get paneOpen() {
      return !pane.hidden;
    },
  };
}
