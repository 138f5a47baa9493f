// Reading a help-centre article inside the widget: the server sends it in the customer's
// language (English when it has no translation), and markdown.js turns it into DOM
// nodes. A back control returns to the chat; a link opens the full page in the help
// centre.
import { el, link } from "../shared/dom.js";
import { texts } from "./i18n.js";
import { renderMarkdown } from "./markdown.js";

const TIMEOUT = 8000;

/** chat, view, connection: the widget's parts */
export function createArticleReader({ chat, view, connection }) {
  /** card: the article card of a message ({id, lang, title, summary, url}). */
  async function open(card) {
    const t = texts(chat.lang);
    const back = el("button", { type: "button", class: "back" }, `‹ ${t.back}`);
    back.addEventListener("click", () => view.hidePane());
    const title = el("h3", { class: "pane-title", tabindex: "-1" }, card.title || t.article);
    const body = el("div", { class: "article" }, el("p", { class: "pane-status", role: "status" }, t.loading));
    const footer = el("p", { class: "full" });
    const showLink = (url) => footer.replaceChildren(...[link(url, t.help_centre)].filter(Boolean));
    showLink(card.url);
    const region = el("article", { "aria-labelledby": "chatbot-article-title" }, title, body, footer);
    title.id = "chatbot-article-title";
    view.showPane(el("div", { class: "pane-bar" }, back), region);
    title.focus();

    let ack;
    try {
      ack = await connection.ask("article", { id: card.id, lang: chat.lang }, TIMEOUT);
    } catch {
      ack = null;
    }
    if (!region.isConnected) return; // the customer went back, or opened something else
    if (!ack || !ack.ok || !ack.article) {
      body.replaceChildren(el("p", { class: "pane-status", role: "status" }, t.load_failed));
      return;
    }
    const article = ack.article;
    title.textContent = article.title;
    body.replaceChildren(renderMarkdown(article.body));
    showLink(article.url || card.url);
  }

  return { open };
}
