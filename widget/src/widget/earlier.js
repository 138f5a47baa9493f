// The customer's conversations: the list (their own, as the server knows them: a portal
// customer's on every device, a visitor's in this browser), a "New conversation" button,
// and continuing an earlier one. Opening or starting one moves the server's session: its
// `session` event redraws the log (conversation.js); this pane then gives way to it.
import { el } from "../shared/dom.js";
import { texts } from "./i18n.js";

const TIMEOUT = 8000;
const PAGE = 10;

/** chat, view, connection: the widget's parts */
export function createEarlier({ chat, view, connection }) {
  function backBar(t) {
    const back = el("button", { type: "button", class: "back" }, `‹ ${t.back}`);
    back.addEventListener("click", () => view.hidePane());
    return el("div", { class: "pane-bar" }, back);
  }

  function row(conversation, t, choose) {
    const title = conversation.title || t.untitled;
    const button = el("button", { type: "button", class: "conversation", "data-id": conversation.id });
    if (conversation.current) button.setAttribute("aria-current", "true");
    button.append(el("span", { class: "title" }, title));
    const meta = el("span", { class: "meta" }, el("span", { class: "date" }, conversation.date || ""));
    const ticket = conversation.ticket;
    if (ticket) {
      meta.append(
        el("span", { class: `status ${ticket.status === "closed" ? "closed" : "open"}` },
          el("span", { class: "number" }, ticket.number), ` · ${ticket.status_text || ticket.status}`),
      );
    }
    button.append(meta);
    if (conversation.current) button.append(el("span", { class: "tag" }, t.current));
    button.addEventListener("click", () => choose(conversation));
    return el("li", {}, button);
  }

  /** Shows the list, first page. */
  async function show() {
    const t = texts(chat.lang);
    const heading = el("h3", { class: "pane-title", tabindex: "-1" }, t.conversations);
    const fresh = el("button", { type: "button", class: "primary new-conversation" }, t.new_conversation);
    const list = el("ul", { class: "conversations", "aria-label": t.conversations, "aria-busy": "true" });
    const status = el("p", { class: "pane-status", role: "status" }, t.loading);
    const more = el("button", { type: "button", class: "more", hidden: "" }, t.more);
    view.showPane(backBar(t), heading, fresh, list, status, more);
    heading.focus();

    const fail = () => {
      if (list.isConnected) status.textContent = t.load_failed;
    };

    async function switchTo(event, payload) {
      status.textContent = t.loading;
      try {
        const ack = await connection.ask(event, payload, TIMEOUT);
        if (!ack || !ack.ok) return fail();
      } catch {
        return fail();
      }
      if (list.isConnected) view.hidePane(); // the new session is drawn in the log
    }

    function choose(conversation) {
      if (conversation.id === chat.conversation) view.hidePane();
      else switchTo("open_conversation", { id: conversation.id });
    }

    async function load(offset) {
      more.hidden = true;
      list.setAttribute("aria-busy", "true");
      let ack;
      try {
        ack = await connection.ask("conversations", { offset, limit: PAGE, lang: chat.lang }, TIMEOUT);
      } catch {
        return fail();
      }
      if (!list.isConnected) return; // the customer went back meanwhile
      list.setAttribute("aria-busy", "false");
      if (!ack || !ack.ok) return fail();
      for (const conversation of ack.conversations) list.append(row(conversation, t, choose));
      const count = list.children.length;
      status.textContent = count ? "" : t.no_conversations;
      more.hidden = !ack.more;
      more.onclick = () => load(count);
    }

    fresh.addEventListener("click", () => switchTo("new_conversation", {}));
    await load(0);
  }

  return { show };
}
