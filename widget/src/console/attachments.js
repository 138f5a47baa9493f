// A file sent in the chat: a thumbnail for pictures, a link for documents and logs.
// The file name is the sender's text: it only goes into text nodes and attribute values.
// Files are served by our own server at /attachments/<id>; the id is an unguessable
// capability the server hands only to the conversation and its agents, so the browser
// fetches it like any same-origin image (the page's CSP allows img-src 'self' only).
import { el } from "../shared/dom.js";
import { fileSize } from "../shared/format.js";

// The ids chatbot/attachments.py makes: anything else never becomes a URL.
const FILE_ID = /^f_[A-Za-z0-9_-]{22}$/;
const IMAGES = new Set(["image/png", "image/jpeg"]);
const KINDS = {
  "image/png": ["PNG image", "PNG"],
  "image/jpeg": ["JPEG image", "JPG"],
  "application/pdf": ["PDF document", "PDF"],
  "text/plain": ["Text file", "TXT"],
};

/** The file's same-origin path, or null when the id is not one of ours. */
export function attachmentUrl(id) {
  return typeof id === "string" && FILE_ID.test(id) ? `/attachments/${id}` : null;
}

function describe(file) {
  const name = typeof file.name === "string" && file.name.trim() ? file.name : "file";
  const type = typeof file.type === "string" ? file.type : "";
  const [kind, badge] = KINDS[type] || ["File", "FILE"];
  const size = Number(file.size);
  const details = Number.isFinite(size) && size >= 0 ? `${kind} · ${fileSize(size)}` : kind;
  return { name, type, badge, details };
}

function caption(tag, attrs, name, details) {
  return el(
    tag,
    attrs,
    el(
      "span",
      { class: "attachment-text" },
      el("span", { class: "attachment-name" }, name),
      el("span", { class: "attachment-details" }, details),
    ),
  );
}

/** The attachment view for a message's `attachment: {id, name, type, size}`. */
export function attachmentNode(file) {
  const { name, type, badge, details } = describe(file);
  const url = attachmentUrl(file.id);
  if (!url) {
    return caption("div", { class: "attachment attachment-missing" }, name, `${details} · not available`);
  }
  const newTab = { href: url, target: "_blank", rel: "noopener noreferrer" };
  if (IMAGES.has(type)) {
    const thumbnail = el("img", { class: "attachment-thumb", src: url, alt: name, loading: "lazy", decoding: "async" });
    const open = el("a", { ...newTab, class: "attachment-open", title: "Open the full picture in a new tab" }, thumbnail);
    const figure = el("figure", { class: "attachment attachment-image" }, open, caption("figcaption", { class: "attachment-caption" }, name, details));
    // Erased (privacy request) or never stored: say so instead of a broken-image icon.
    thumbnail.addEventListener("error", () => {
      open.replaceWith(el("span", { class: "attachment-unavailable" }, "Picture not available"));
    });
    return figure;
  }
  // Served as a download (Content-Disposition: attachment); `download` keeps its name.
  const download = caption("a", { ...newTab, class: "attachment attachment-file", download: name }, name, details);
  download.prepend(el("span", { class: "attachment-badge", "aria-hidden": "true" }, badge));
  return download;
}
