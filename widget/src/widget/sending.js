// The customer's messages: written into the identity's outbox (outboxes.js), drawn as
// waiting, and sent by the session's sender under the one retry rule (shared/outbox.js).
import { newId } from "../shared/ids.js";
import { OutboxSender } from "../shared/outbox.js";
import { noteStored } from "./chat.js";
import { outboxOf } from "./outboxes.js";

const ACK_TIMEOUT = 8000;

/** chat (chat.js), messages (messages.js), notice (notice.js), connection (connection.js) */
export function createSending({ chat, messages, notice, connection }) {
  // The session's sender of its identity's outbox; null until the screen shows what the
  // server has.
  let sender = null;

  function flushSoon() {
    if (sender) sender.flushSoon();
  }

  /** Sends the session's outbox, from now until the session ends. */
  function start(live) {
    stop();
    sender = new OutboxSender(outboxOf(live.scope), {
      // Checked right before each emit: socket.io would hold a packet emitted offline for
      // the next connection, which may be another identity's.
      canSend: () => connection.session === live && connection.connected,
      send: (payload) => connection.ask("message", payload, ACK_TIMEOUT),
      onSent(item, ack, recovered) {
        const { failed, ...payload } = item;
        messages.markSent(item.id);
        noteStored(chat, ack.seq, { ...payload, from: "customer", seq: ack.seq });
        if (recovered) notice.hide();
      },
      // Refused for good: the same message would be refused again, so it waits for the customer.
      onRefused: (item, error) => messages.markNotSent(live.scope, item.id, error.code),
      // Kept, still drawn as waiting; fair use says how long to wait.
      onWait: (error) => notice.show(error && error.code === "rate_limited" ? "slow" : "unavailable"),
    });
    return sender;
  }

  function stop() {
    if (sender) sender.stop();
    sender = null;
  }

  /** The customer wrote (or pressed an answer button: `value` under the ask `askId`). */
  function sendMessage(text, value, askId) {
    const item = { id: newId("w", 9), text };
    if (value) item.value = value;
    if (value && askId) item.ask_id = askId;
    // Into the conversation on screen while one is open, else the identity connected next.
    const session = connection.session;
    const scope = session ? session.scope : connection.currentScope();
    outboxOf(scope).add(item);
    chat.seen.add(item.id);
    messages.render({ id: item.id, from: "customer", text }, true);
    flushSoon();
  }

  /** The customer pressed retry on a message not sent. */
  function retryMessage(scope, id) {
    const outbox = outboxOf(scope);
    const item = outbox.find(id);
    if (!item) return; // another tab of this browser sent it meanwhile
    messages.markWaiting(id);
    outbox.unrefuse(id);
    // The conversation is gone (erased): a new connection of the same identity opens a new
    // one, and sends the message there.
    if (item.failed === "not_found") connection.reconnect();
    else flushSoon();
  }

  /** An identity's unsent messages, drawn after what the server already has: a reload or
   * the identity's return shows them as waiting, or as not sent. */
  function showOutbox(scope) {
    for (const item of outboxOf(scope).items()) {
      if (chat.seen.has(item.id)) continue;
      chat.seen.add(item.id);
      messages.render({ id: item.id, from: "customer", text: item.text }, true);
      if (item.failed) messages.markNotSent(scope, item.id, item.failed);
    }
  }

  return { start, stop, sendMessage, retryMessage, showOutbox };
}
