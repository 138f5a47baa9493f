// The conversation on screen: a session opens it (or another one), history fills in what
// the screen missed, and each message the server sends is drawn once.
import { forgetMessages, noteStored } from "./chat.js";

const HISTORY_TIMEOUT = 8000;
const HISTORY_PAGES = 50;

/**
 * chat, view, messages, banner, notice, connection, sending: the widget's parts
 * applyTexts(): every text on screen in the chat's language
 */
export function createConversation({ chat, view, messages, banner, notice, connection, sending, applyTexts }) {
  /** The server let us in: show its conversation, what it has, then send what is unsent. */
  async function onSession(info, live) {
    sending.stop(); // a new connection: its own sender sends at once
    notice.rest();
    if (chat.conversation && chat.conversation !== info.conversation_id) resetScreen();
    chat.conversation = info.conversation_id;
    chat.lang = info.language || chat.lang;
    chat.welcome = info.welcome || null;
    applyTexts();
    banner.show(info.ticket);
    notice.hide();
    await catchUp();
    if (connection.session !== live) return;
    // Sent only once the screen shows what the server has, and then what is still unsent.
    if (!info.last_seq) messages.showWelcome();
    sending.showOutbox(live.scope);
    await sending.start(live).flush();
  }

  /** Fetches what the screen has not seen yet, page by page. */
  async function catchUp() {
    for (let page = 0; page < HISTORY_PAGES; page += 1) {
      let answer;
      try {
        answer = await connection.ask("history", { after: chat.lastSeq }, HISTORY_TIMEOUT);
      } catch {
        return;
      }
      if (!answer || !answer.ok) return;
      for (const message of answer.messages) receive(message);
      if (!answer.more) return;
    }
  }

  function receive(message) {
    if (message.seq && chat.bySeq.has(message.seq)) return;
    // A gap in seq: something was published while our server's link to the others was
    // down (pub/sub does not replay). The store has it: fetch what is missing.
    if (message.seq > chat.lastSeq + 1 && chat.lastSeq > 0) catchUp();
    if (message.seq) noteStored(chat, message.seq, message);
    if (chat.seen.has(message.id)) {
      messages.markSent(message.id); // the server only ever sends what it has stored
      return;
    }
    chat.seen.add(message.id);
    if (message.lang && message.lang !== chat.lang) {
      chat.lang = message.lang;
      applyTexts();
    }
    if (message.from === "customer") messages.settleChoices();
    messages.render(message);
    if (message.from !== "customer") view.countUnread();
  }

  function resetScreen() {
    messages.clear();
    forgetMessages(chat);
    banner.hide();
    view.showTyping(false); // someone typing in the conversation left is not typing here
  }

  /** Another identity's chat opens next: nothing of this one stays on screen, and nothing
   * more is sent over its connection. */
  function leave() {
    connection.leave();
    sending.stop();
    chat.conversation = null;
    resetScreen();
    banner.show(null);
  }

  return { onSession, catchUp, receive, leave };
}
