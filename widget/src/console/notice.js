// The notice bar above everything: errors stay until dismissed, information goes by itself.
import { byId } from "../shared/dom.js";

export function createNotice() {
  const bar = byId("notice");
  const text = byId("notice-text");
  let timer = null;

  function hide() {
    bar.hidden = true;
    clearTimeout(timer);
  }

  function show(message, kind = "error") {
    text.textContent = String(message || "Something went wrong");
    bar.dataset.kind = kind;
    bar.hidden = false;
    clearTimeout(timer);
    if (kind === "info") timer = setTimeout(hide, 8000);
  }

  byId("notice-close").addEventListener("click", hide);
  return { show, hide };
}
