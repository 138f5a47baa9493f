// Files in the chat: a thumbnail for pictures, a link for the rest, served by our server;
// and the customer's upload of one (sent as `attach`, never queued: see sendFile).
import { el } from "../shared/dom.js";
import { fill } from "../shared/format.js";
import { newId } from "../shared/ids.js";
import { noteStored } from "./chat.js";
import { texts } from "./i18n.js";

const FILE_TYPES = ["image/png", "image/jpeg", "application/pdf", "text/plain"];
const UPLOAD_TIMEOUT = 30000;

// The widget's short size ("12 KB", "1.5 MB"); the console's is shared/format.js fileSize.
function formatSize(bytes) {
  return bytes < 1024 * 1024 ? `${Math.max(1, Math.round(bytes / 1024))} KB` : `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/** A message's attachment; `server`: the chat server's origin, where files are served. */
export function attachmentView(message, pending, server) {
  const file = message.attachment;
  const box = el("div", { class: `msg file ${message.from}${pending ? " pending" : ""}`, "data-id": message.id });
  if (message.seq) box.setAttribute("data-seq", String(message.seq));
  if (!file.id) {
    box.textContent = `${file.name} (${formatSize(file.size)})`;
    return box;
  }
  const href = `${server}/attachments/${encodeURIComponent(file.id)}`;
  const link = el("a", { href, target: "_blank", rel: "noopener noreferrer" });
  if (file.type === "image/png" || file.type === "image/jpeg") {
    link.append(el("img", { src: href, alt: file.name, loading: "lazy" }));
  }
  link.append(el("span", {}, `${file.name} (${formatSize(file.size)})`));
  box.append(link);
  return box;
}

/**
 * chat, messages (messages.js), notice (notice.js), connection (connection.js),
 * server: the chat server's origin, maxBytes: the largest file the server takes
 */
export function createFileSender({ chat, messages, notice, connection, server, maxBytes }) {
  const tooBig = () => fill(texts(chat.lang).attach_too_big, { mb: Math.round(maxBytes / 1024 / 1024) });

  return async function sendFile(file) {
    const t = texts(chat.lang);
    const typeOk = FILE_TYPES.includes(file.type) || /\.(log|txt)$/i.test(file.name);
    if (!typeOk || file.size > maxBytes) {
      notice.flash(typeOk ? tooBig() : t.attach_type);
      return;
    }
    // Offline, socket.io would hold the upload and send it over the next connection, which
    // may be another identity's (after identify() or reset()): files are not queued.
    const session = connection.session;
    if (!session || !connection.connected) {
      notice.flash(t.offline);
      return;
    }
    const id = newId("w", 9);
    chat.seen.add(id);
    messages.render({ id, from: "customer", text: file.name, attachment: { name: file.name, size: file.size, type: file.type } }, true);
    let ack;
    try {
      const data = await file.arrayBuffer();
      if (connection.session !== session || !connection.connected) throw new Error("connection changed");
      ack = await connection.ask("attach", { id, name: file.name, data }, UPLOAD_TIMEOUT);
    } catch {
      ack = null;
    }
    if (connection.session !== session) ack = null; // its seq would be another conversation's
    const placeholder = messages.bubbleOf(id);
    if (ack && ack.ok) {
      if (placeholder) placeholder.replaceWith(attachmentView(ack.message, false, server));
      noteStored(chat, ack.seq, ack.message);
    } else {
      if (placeholder) placeholder.remove();
      chat.seen.delete(id);
      const code = ack && ack.error && ack.error.code;
      notice.flash(code === "too_large" ? tooBig() : code === "unsupported_type" ? t.attach_type : t.offline);
    }
  };
}
