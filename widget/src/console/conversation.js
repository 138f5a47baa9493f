// The open conversation: which ticket it is, loading it (with every page of history),
// and the live events for it; events that come while it loads wait, then go in order.
import { byId } from "../shared/dom.js";
import { KEYS, drop, save } from "./storage.js";
import { customerName, isMine } from "./tickets.js";

/**
 * session, call(event, payload, options), queue (queue.js), transcript (transcript.js)
 * hooks:
 *   beforeOpen(): the agent picked a ticket, maybe the open one again (reports close)
 *   opening(current): another ticket opens: every pane starts empty for it
 *   closed(): no ticket is open any more
 *   render(current): the ticket record changed: every pane shows it again
 *   loaded(current): its history, notes and the customer's tickets are in
 *   applyTicket(ticket): a ticket record came with an ack
 *   lostChat(): the open chat stopped being mine
 *   focus(): the agent is back at the open ticket: the reply box takes the keyboard
 *   pendingOf(number): the outbox items of a ticket, to draw as being sent
 */
export function createConversation({ session, call, queue, transcript, hooks }) {
  const ui = {};
  for (const id of ["conv-empty", "conv-main"]) ui[id] = byId(id);
  let current = null;

  function canMessage() {
    return Boolean(current && current.ticket && isMine(current.ticket, session.me));
  }

  function showEmpty() {
    current = null;
    ui["conv-main"].hidden = true;
    ui["conv-empty"].hidden = false;
    transcript.start(null);
    hooks.closed();
  }

  async function open(number, { refresh = false } = {}) {
    if (!number) return;
    let opened = current;
    if (!refresh) {
      hooks.beforeOpen();
      if (opened && opened.number === number && !opened.loading) {
        queue.clearUnread(number);
        hooks.focus();
        return;
      }
      opened = {
        number,
        ticket: queue.record(number),
        loading: true,
        buffer: [],
        customerTickets: [],
        dirty: false, // the details form has edits not saved yet
        forcedNote: false, // the composer was switched to notes because the chat is not mine
        diagnosis: null, // {domain, service, findings} from the open ack
      };
      current = opened;
      save(KEYS.open, number);
      transcript.start(number);
      ui["conv-empty"].hidden = true;
      ui["conv-main"].hidden = false;
      queue.markActive(number);
      queue.clearUnread(number);
      hooks.opening(opened);
      hooks.render(opened);
    } else if (!opened || opened.number !== number) {
      return;
    }
    opened.loading = true;
    const generation = (opened.generation = (opened.generation || 0) + 1);
    const stale = () => current !== opened || opened.generation !== generation;
    const ack = await call("open", { ticket: number }, { quiet: refresh });
    // Another open (e.g. after a reconnect) took over while this one waited.
    if (stale()) return;
    if (!ack) {
      finishLoading(opened);
      if (!refresh) {
        drop(KEYS.open);
        showEmpty();
        queue.markActive(null);
      }
      return;
    }
    // The domain check as sentences, for the details pane (drawn with the ticket).
    opened.diagnosis = ack.diagnosis || null;
    if (ack.ticket) {
      opened.ticket = ack.ticket;
      hooks.applyTicket(ack.ticket);
    }
    let messages = Array.isArray(ack.messages) ? ack.messages : [];
    let more = Boolean(ack.more);
    for (;;) {
      for (const message of messages) transcript.addMessage(message);
      if (!more || !messages.length) break;
      const after = Math.max(...messages.map((m) => Number(m.seq) || 0));
      const page = await call("history", { ticket: number, after }, { quiet: true });
      if (!page || stale()) break;
      messages = Array.isArray(page.messages) ? page.messages : [];
      more = Boolean(page.more);
    }
    if (stale()) return;
    for (const note of Array.isArray(ack.notes) ? ack.notes : []) transcript.addNote(note);
    opened.customerTickets = Array.isArray(ack.customer_tickets) ? ack.customer_tickets : [];
    for (const ticket of opened.customerTickets) queue.remember(ticket);
    if (!refresh) {
      for (const item of hooks.pendingOf(number)) transcript.showPending(item);
    }
    finishLoading(opened);
    hooks.loaded(opened);
    if (!refresh) transcript.scrollToBottom(true);
  }

  /** Live events that came while the conversation loaded, now in order. */
  function finishLoading(opened) {
    opened.loading = false;
    const buffered = opened.buffer;
    opened.buffer = [];
    for (const [kind, payload] of buffered) {
      if (kind === "message") onMessage(payload);
      else if (kind === "note") onNote(payload);
      else onTyping(payload);
    }
  }

  /** A ticket record changed: the open conversation follows when it is this one. */
  function applyTicket(ticket) {
    if (!current || current.number !== ticket.number) return;
    const wasMine = isMine(current.ticket, session.me);
    current.ticket = ticket;
    if (wasMine && !isMine(ticket, session.me)) hooks.lostChat();
    hooks.render(current);
  }

  function onMessage(message) {
    if (!message || typeof message !== "object") return;
    if (current && current.loading) {
      current.buffer.push(["message", message]);
      return;
    }
    if (current && current.ticket && message.conversation_id === current.ticket.conversation_id) {
      transcript.addMessage(message);
      return;
    }
    if (message.from === "customer") queue.countUnread(message);
  }

  function onNote(note) {
    if (!current || !note) return;
    if (current.loading) {
      current.buffer.push(["note", note]);
      return;
    }
    if (note.ticket === current.number) transcript.addNote(note);
  }

  function onTyping(event) {
    if (!current || !event || event.from !== "customer") return;
    if (current.loading) {
      current.buffer.push(["typing", event]);
      return;
    }
    if (!current.ticket || event.conversation_id !== current.ticket.conversation_id) return;
    transcript.customerTyping(Boolean(event.on));
  }

  return {
    open,
    showEmpty,
    applyTicket,
    onMessage,
    onNote,
    onTyping,
    canMessage,
    /** The open conversation: {number, ticket, loading, customerTickets, dirty...}, or null. */
    get current() {
      return current;
    },
    customerName: () => (current && current.ticket ? customerName(current.ticket) : ""),
  };
}
