// The open conversation's transcript: messages and notes placed in time order, the
// agent's own entries while they are being sent, and the customer's typing line.
import { byId } from "../shared/dom.js";
import { clockTime } from "../shared/format.js";
import { messageKey, messageNode, noteKey, noteNode } from "./entries.js";

const TYPING_LOST = 10000;

/**
 * session: who is logged in (their entries say "you")
 * names(): {customerName} of the open conversation
 */
export function createTranscript({ session, names }) {
  const box = byId("transcript");
  const typingLine = byId("customer-typing");
  let number = null; // the ticket shown
  let bySeq = new Map(); // seq -> node
  let notes = new Map(); // note id -> node
  let pending = new Map(); // client id -> node
  let typingTimer = null;

  const context = () => ({ ...names(), meId: session.me && session.me.id });

  /** An empty transcript for the ticket (null: none shown). */
  function start(ticketNumber) {
    number = ticketNumber;
    bySeq = new Map();
    notes = new Map();
    pending = new Map();
    box.replaceChildren();
    typingLine.hidden = true;
  }

  function isNearBottom() {
    return box.scrollHeight - box.scrollTop - box.clientHeight < 120;
  }

  function scrollToBottom(force) {
    if (force || isNearBottom()) box.scrollTop = box.scrollHeight;
  }

  /** Inserts the node where its key belongs (entries arrive almost always in order). */
  function place(node, key) {
    node.dataset.sort = String(key);
    let ref = box.lastElementChild;
    while (ref && Number(ref.dataset.sort) > key) ref = ref.previousElementSibling;
    if (ref) ref.after(node);
    else box.prepend(node);
  }

  function lastKnownKey() {
    let ref = box.lastElementChild;
    while (ref && !Number.isFinite(Number(ref.dataset.sort))) ref = ref.previousElementSibling;
    return ref ? Number(ref.dataset.sort) : Date.now();
  }

  function addMessage(message) {
    if (number === null || !message || typeof message !== "object") return;
    const stick = isNearBottom();
    const seq = Number(message.seq) || 0;
    const existing = seq ? bySeq.get(seq) : null;
    if (existing && !existing.dataset.provisional) return; // already on screen
    const node = messageNode(message, context());
    if (existing) {
      existing.remove();
    } else if (message.from === "agent" && typeof message.id === "string" && message.id.startsWith("@")) {
      const mine = pending.get(message.id.slice(1));
      if (mine) {
        mine.remove();
        pending.delete(message.id.slice(1));
      }
    }
    if (seq) bySeq.set(seq, node);
    place(node, messageKey(message));
    if (message.from === "customer") typingLine.hidden = true;
    const me = session.me;
    scrollToBottom(stick || (message.from === "agent" && message.agent && me && message.agent.id === me.id));
  }

  function addNote(note) {
    if (number === null || !note || typeof note.id !== "string") return;
    if (notes.has(note.id)) return;
    const stick = isNearBottom();
    const mine = pending.get(note.id);
    if (mine) {
      mine.remove();
      pending.delete(note.id);
    }
    const node = noteNode(note, context());
    notes.set(note.id, node);
    place(node, noteKey(note));
    scrollToBottom(stick);
  }

  /** An outbox item of this ticket, drawn as "Sending…" until the server has it. */
  function showPending(item) {
    if (number !== item.ticket || pending.has(item.id)) return;
    if (item.kind === "note" && notes.has(item.id)) return;
    const me = session.me || {};
    const node =
      item.kind === "note"
        ? noteNode({ id: item.id, text: item.text, agent: { id: me.id, name: me.name } }, context())
        : messageNode(
            {
              from: "agent",
              id: "@" + item.id,
              text: item.text,
              agent: { id: me.id, name: me.name },
              articles: item.article ? [item.article] : undefined,
            },
            context(),
          );
    node.classList.add("pending");
    node.setAttribute("data-client-id", item.id);
    const time = node.querySelector(".msg-time");
    if (time) time.textContent = "Sending…";
    pending.set(item.id, node);
    place(node, Infinity);
    scrollToBottom(true);
  }

  /** The server stored an outbox item of this ticket. */
  function delivered(item, ack) {
    if (number !== item.ticket) return;
    if (item.kind === "note") {
      if (ack.note) addNote(ack.note);
      return;
    }
    const seq = Number(ack.seq) || 0;
    const node = pending.get(item.id);
    pending.delete(item.id);
    if (!node) return;
    if (seq && bySeq.has(seq)) {
      node.remove(); // the live event came first
      return;
    }
    // Confirmed; the live `message` event (with the server's time) replaces it when it comes.
    node.classList.remove("pending");
    node.removeAttribute("data-client-id");
    const time = node.querySelector(".msg-time");
    if (time) time.textContent = clockTime(new Date().toISOString());
    if (seq) {
      node.setAttribute("data-seq", String(seq));
      node.dataset.provisional = "1";
      bySeq.set(seq, node);
    }
    node.remove();
    place(node, lastKnownKey() + 0.0001);
  }

  /** The server refused an outbox item of this ticket for good. */
  function failed(item, message) {
    if (number !== item.ticket) return;
    const node = pending.get(item.id);
    pending.delete(item.id);
    if (!node) return;
    node.classList.remove("pending");
    node.classList.add("failed");
    const time = node.querySelector(".msg-time");
    if (time) time.textContent = `Not sent: ${message}`;
  }

  function setCustomerTyping(on) {
    if (typingLine.hidden === !on) return;
    const stick = isNearBottom();
    typingLine.hidden = !on;
    scrollToBottom(stick); // the transcript got shorter or taller
  }

  /** The customer's typing event; a lost "off" must not leave the line on forever. */
  function customerTyping(on) {
    setCustomerTyping(on);
    clearTimeout(typingTimer);
    if (on) typingTimer = setTimeout(() => setCustomerTyping(false), TYPING_LOST);
  }

  return {
    start,
    addMessage,
    addNote,
    showPending,
    delivered,
    failed,
    customerTyping,
    hideTyping: () => (typingLine.hidden = true),
    scrollToBottom,
  };
}
