// Knowledge base search in the details pane: find articles in the customer's language and
// send one to the customer as a card.
import { byId, el, link } from "../shared/dom.js";
import { newId } from "../shared/ids.js";
import { languageName } from "./labels.js";

/** call, notice, conversation (conversation.js), sending (sending.js) */
export function createKb({ call, notice, conversation, sending }) {
  const ui = {};
  for (const id of ["kb-form", "kb-query", "kb-search", "kb-results"]) ui[id] = byId(id);

  function reset() {
    ui["kb-results"].replaceChildren();
    ui["kb-query"].value = "";
  }

  /** Articles can be sent only into a chat the agent holds. */
  function render() {
    const mine = conversation.canMessage();
    for (const button of ui["kb-results"].querySelectorAll("button.send-article")) button.disabled = !mine;
  }

  async function search(event) {
    event.preventDefault();
    const current = conversation.current;
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
  }

  function renderArticles(articles) {
    const mine = conversation.canMessage();
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
    const current = conversation.current;
    if (!current || !conversation.canMessage()) {
      notice.show("Claim the chat before sending articles to the customer.");
      return;
    }
    const card = {
      id: String(article.id),
      lang: String(article.lang || (current.ticket && current.ticket.language) || "en"),
      title: article.title,
      summary: article.summary,
      url: article.url,
    };
    sending.enqueue({ kind: "message", ticket: current.number, id: newId("c", 8), text: "", article: card });
  }

  ui["kb-form"].addEventListener("submit", search);
  return { reset, render };
}
