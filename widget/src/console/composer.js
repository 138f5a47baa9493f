// The composer under the transcript: a reply to the customer or an internal note, canned
// replies, and the agent's typing indicator for the customer (never while writing a note).
import { byId, setOptions } from "../shared/dom.js";
import { fill, firstName } from "../shared/format.js";
import { newId } from "../shared/ids.js";
import { customerName, isMine } from "./tickets.js";

const MAX_TEXT = 4000;
const TYPING_IDLE = 1500;

/**
 * session, call, notice, conversation (conversation.js), sending (sending.js)
 * onModeChange(): reply or note mode changed: the open conversation is drawn again
 */
export function createComposer({ session, call, notice, conversation, sending, onModeChange }) {
  const ui = {};
  for (const id of ["composer", "canned", "note-toggle", "composer-hint", "reply-input", "reply-send"]) ui[id] = byId(id);
  let canned = [];
  let typingOn = null; // the ticket we told "on"
  let typingTimer = null;

  function reset() {
    ui["note-toggle"].checked = false;
    ui["reply-input"].value = "";
  }

  function focus() {
    ui["reply-input"].focus();
  }

  function setCanned(replies) {
    canned = Array.isArray(replies) ? replies : [];
    const options = [{ value: "", label: "Insert canned reply…" }];
    for (const reply of canned) if (reply && reply.id) options.push({ value: String(reply.id), label: String(reply.title || reply.id) });
    setOptions(ui.canned, options, "");
  }

  /** Reply or note: only the agent who holds an open chat replies to the customer. */
  function render(current) {
    const ticket = current.ticket;
    if (!ticket) {
      ui.composer.hidden = true;
      return;
    }
    const assignee = ticket.assignee;
    const closed = ticket.status === "closed";
    const mine = isMine(ticket, session.me);
    ui.composer.hidden = false;
    const notesOnly = !mine;
    if (notesOnly) {
      if (!ui["note-toggle"].checked) current.forcedNote = true;
      ui["note-toggle"].checked = true;
    } else if (current.forcedNote) {
      // Just claimed (or transferred to me): back to replying to the customer.
      current.forcedNote = false;
      ui["note-toggle"].checked = false;
    }
    ui["note-toggle"].disabled = notesOnly;
    const noteMode = ui["note-toggle"].checked;
    ui.composer.classList.toggle("note-mode", noteMode);
    ui["reply-send"].textContent = noteMode ? "Add note" : "Send";
    ui["reply-input"].placeholder = noteMode
      ? "Write an internal note (only agents see it)…"
      : "Write a reply… (Enter to send, Shift+Enter for a new line)";
    ui["composer-hint"].textContent = closed
      ? "This ticket is closed: only internal notes."
      : notesOnly
        ? assignee
          ? `${assignee.name || "Another agent"} holds this chat: only internal notes.`
          : "Claim this chat to reply to the customer."
        : "";
  }

  function cannedText(reply, ticket) {
    const texts = (reply && reply.text) || {};
    const lang = (ticket && ticket.language) || "en";
    const text = texts[lang] || texts.en || Object.values(texts)[0] || "";
    const first = firstName(customerName(ticket));
    const me = session.me;
    const values = {
      agent: (me && me.name) || "",
      customer: first ? `, ${first}` : "",
      ticket: (ticket && ticket.number) || "",
    };
    return fill(String(text), values);
  }

  function insertCanned() {
    const reply = canned.find((r) => String(r.id) === ui.canned.value);
    ui.canned.value = "";
    const current = conversation.current;
    if (!reply || !current) return;
    const input = ui["reply-input"];
    const text = cannedText(reply, current.ticket);
    const start = input.selectionStart ?? input.value.length;
    const end = input.selectionEnd ?? input.value.length;
    const before = input.value.slice(0, start);
    const joiner = before && !/\s$/.test(before) ? " " : "";
    input.value = before + joiner + text + input.value.slice(end);
    const caret = (before + joiner + text).length;
    input.focus();
    input.setSelectionRange(caret, caret);
    input.dispatchEvent(new Event("input"));
  }

  function submit(event) {
    event.preventDefault();
    const current = conversation.current;
    if (!current || !current.ticket) return;
    const text = ui["reply-input"].value.trim();
    if (!text) {
      ui["reply-input"].focus();
      return;
    }
    if (text.length > MAX_TEXT) {
      notice.show(`A message can be at most ${MAX_TEXT.toLocaleString("en")} characters.`);
      return;
    }
    const asNote = ui["note-toggle"].checked || !conversation.canMessage();
    stopTyping();
    ui["reply-input"].value = "";
    sending.enqueue({ kind: asNote ? "note" : "message", ticket: current.number, id: newId("c", 8), text });
    ui["reply-input"].focus();
  }

  function typed() {
    const current = conversation.current;
    if (!current || !conversation.canMessage() || ui["note-toggle"].checked) return;
    if (!ui["reply-input"].value.trim()) {
      stopTyping();
      return;
    }
    if (typingOn !== current.number) {
      stopTyping();
      typingOn = current.number;
      call("typing", { ticket: current.number, on: true }, { quiet: true });
    }
    clearTimeout(typingTimer);
    typingTimer = setTimeout(stopTyping, TYPING_IDLE);
  }

  function stopTyping() {
    clearTimeout(typingTimer);
    typingTimer = null;
    if (typingOn) {
      const ticket = typingOn;
      typingOn = null;
      call("typing", { ticket, on: false }, { quiet: true });
    }
  }

  /** The connection is gone, and the server's typing state with it. */
  function forgetTyping() {
    typingOn = null;
  }

  ui.canned.addEventListener("change", insertCanned);
  ui["note-toggle"].addEventListener("change", () => {
    if (ui["note-toggle"].checked) stopTyping();
    onModeChange();
    ui["reply-input"].focus();
  });
  ui.composer.addEventListener("submit", submit);
  ui["reply-input"].addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      ui.composer.requestSubmit();
    }
  });
  ui["reply-input"].addEventListener("input", typed);

  return { reset, focus, setCanned, render, stopTyping, forgetTyping };
}
