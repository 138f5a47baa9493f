// What the agent sends (replies, notes, articles) goes through the outbox: kept in this
// tab's sessionStorage with its client id until the server has it. The retry rule is
// shared/outbox.js; a new sender for every connection sends at once.
import { Outbox, OutboxSender } from "../shared/outbox.js";
import { KEYS } from "./storage.js";

/**
 * session, notice, transcript (transcript.js), ackTimeout (ms)
 * isUp(socket): the connection is still the current one and up
 */
export function createSending({ session, notice, transcript, isUp, ackTimeout }) {
  const outbox = new Outbox(sessionStorage, KEYS.outbox);
  let sender = null;

  /** kind "message" or "note", ticket, id, text, and for a message maybe an article card. */
  function enqueue(item) {
    const me = session.me || {};
    const entry = { ...item, agent: me.id, queued_at: Date.now() };
    outbox.add(entry);
    transcript.showPending(entry);
    if (sender) sender.flushSoon();
  }

  /** Items written by another agent in this tab are not ours to send. */
  const ours = (item) => !item.agent || Boolean(session.me && item.agent === session.me.id);

  function keepOnlyOurs() {
    outbox.write(outbox.items().filter(ours));
  }

  function start(socket) {
    stop();
    sender = new OutboxSender(outbox, {
      canSend: () => isUp(socket),
      accepts: ours,
      send: (item) => send(socket, item),
      onSent: (item, ack) => transcript.delivered(item, ack),
      onRefused(item, error) {
        // The console has no retry button: a refused item is dropped, and the agent told.
        outbox.remove(item.id);
        const message = error.message || error.code;
        notice.show(`Not sent: ${message}`);
        transcript.failed(item, message);
      },
    });
    sender.flush();
  }

  function stop() {
    if (sender) sender.stop();
    sender = null;
  }

  async function send(socket, item) {
    const payload = { ticket: item.ticket, id: item.id, text: item.text };
    if (item.kind === "message" && item.article) payload.article = { id: item.article.id, lang: item.article.lang };
    const ack = await socket.timeout(ackTimeout).emitWithAck(item.kind === "note" ? "note" : "message", payload);
    if (ack && !ack.ok && ack.error && ack.error.code === "unauthorized") {
      // The session ended, the message was not refused: it stays for this agent's next login.
      session.end();
      return null;
    }
    return ack;
  }

  return {
    enqueue,
    keepOnlyOurs,
    start,
    stop,
    pendingOf: (number) => outbox.items().filter((item) => item.ticket === number),
  };
}
