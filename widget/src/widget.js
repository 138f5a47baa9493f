// The chat widget: one <script src=".../widget.js" data-server data-locale async> tag.
// Everything from the network is rendered with textContent: never as HTML.
//
// This file reads the script tag, wires the parts together and offers `window.Chatbot`:
//   widget/view.js          the frame in a Shadow DOM: launcher, panel, open/close, unread
//   widget/messages.js      the log: bubbles, speakers, cards, answer buttons, not-sent marks
//   widget/banner.js        the ticket banner
//   widget/notice.js        the status line (offline, a problem on our side, too fast...)
//   widget/rating.js        the stars after a closed chat
//   widget/attachments.js   files in the log, and sending one
//   widget/composer.js      the text box and the paperclip
//   widget/connection.js    who this browser is, the socket, the session
//   widget/conversation.js  the conversation on screen: session, history, incoming messages
//   widget/sending.js       the customer's messages through the outbox (shared/outbox.js)
//   widget/outboxes.js      one outbox per identity
//   widget/earlier.js       the customer's conversations: list, continue one, start anew
//   widget/article.js       an article read inside the panel (widget/markdown.js draws it)
import { adoptLegacyOutbox, dropOutboxes } from "./widget/outboxes.js";
import { createArticleReader } from "./widget/article.js";
import { createFileSender } from "./widget/attachments.js";
import { createBanner } from "./widget/banner.js";
import { createChat } from "./widget/chat.js";
import { bindComposer } from "./widget/composer.js";
import { createConnection } from "./widget/connection.js";
import { createConversation } from "./widget/conversation.js";
import { createEarlier } from "./widget/earlier.js";
import { createMessages } from "./widget/messages.js";
import { createNotice } from "./widget/notice.js";
import { createSending } from "./widget/sending.js";
import { createView } from "./widget/view.js";

const RATE_TIMEOUT = 8000;

const script = document.currentScript;
const SERVER = (script && script.dataset.server) || (script ? new URL(script.src).origin : location.origin);
const MAX_FILE = (parseFloat(script && script.dataset.maxFileMb) || 5) * 1024 * 1024;
const LOCALE = (script && script.dataset.locale) || document.documentElement.lang || "en";

const chat = createChat("en");
const view = createView(chat);
const notice = createNotice(view.statusLine, chat, () => connection.connected);
const banner = createBanner(view.banner, chat);

const connection = createConnection({
  server: SERVER,
  locale: LOCALE,
  hooks: {
    session: (info, live) => conversation.onSession(info, live),
    message: (message) => conversation.receive(message),
    ticket: (ticket) => banner.show(ticket),
    queue: (update) => banner.position(update),
    resync: () => conversation.catchUp(), // after an outage on our side: fetch what was missed
    typing: (event) => view.showTyping(Boolean(event && event.on && event.from !== "customer"), event && event.name),
    disconnect() {
      sending.stop();
      notice.show("offline");
      view.showTyping(false);
    },
    refused: (reason) => (reason ? notice.show(reason) : notice.reveal()),
  },
});

const messages = createMessages({
  chat,
  view,
  server: SERVER,
  hooks: {
    choose: (label, value, askId) => sending.sendMessage(label, value, askId),
    retry: (scope, id) => sending.retryMessage(scope, id),
    rate(payload) {
      if (!connection.connected) return Promise.reject(new Error("offline"));
      return connection.ask("rate", payload, RATE_TIMEOUT);
    },
    read: (article) => reader.open(article),
  },
});

const reader = createArticleReader({ chat, view, connection });
const earlier = createEarlier({ chat, view, connection });
view.historyButton.addEventListener("click", () => earlier.show());

const sending = createSending({ chat, messages, notice, connection });

const conversation = createConversation({ chat, view, messages, banner, notice, connection, sending, applyTexts });

bindComposer({
  view,
  connection,
  sendMessage: (text) => sending.sendMessage(text),
  sendFile: createFileSender({ chat, messages, notice, connection, server: SERVER, maxBytes: MAX_FILE }),
});

/** Every text on screen in the chat's language. */
function applyTexts() {
  view.applyTexts();
  notice.rest();
  messages.retranslate();
}

window.Chatbot = {
  open: view.open,
  close: view.close,
  identify(userToken) {
    // The previous identity's unsent messages stay in its own outbox and go out when it
    // is back (the same customer logging in again, the visitor after identify(null)):
    // the person writing now may not be the one who wrote them.
    const before = connection.currentScope();
    connection.setUser(userToken);
    if (connection.currentScope() !== before) {
      view.hidePane();
      conversation.leave();
    }
    connection.reconnect();
  },
  setLocale(lang) {
    connection.setLocale(lang);
    chat.lang = lang;
    applyTexts();
  },
  reset() {
    // On logout: forget this visitor on this device, and drop every unsent message on it
    // rather than keep it for a later login. The device may be shared: the next person
    // must neither find a logged-out customer's words in storage nor send them, and the
    // anonymous visitor forgotten here can never come back to send its own.
    connection.setUser(null);
    connection.forgetVisitor();
    dropOutboxes();
    view.hidePane();
    conversation.leave();
    connection.reconnect();
  },
};

function start() {
  document.body.append(view.host);
  chat.lang = LOCALE.slice(0, 2);
  applyTexts();
  const identity = script && script.dataset.userToken;
  if (identity) connection.setUser(identity);
  adoptLegacyOutbox(connection.currentScope());
  connection.connect();
}

if (document.body) start();
else document.addEventListener("DOMContentLoaded", start);
