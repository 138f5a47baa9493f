// Keyboard shortcuts, listed in a dialog on "?". None fires while the agent writes in a
// text field, except sending (Ctrl+Enter); the dialog keeps the focus inside it until
// Escape or its Close button, then gives it back to where it was.
import { byId, el } from "../shared/dom.js";

/** [keys shown, what it does, action name] */
export const SHORTCUTS = [
  ["N", "Next chat in the lists", "next"],
  ["C", "Claim the open chat (or the first one waiting)", "claim"],
  ["R", "Write a reply", "reply"],
  ["I", "Write an internal note", "note"],
  ["X", "Close the open chat (write the resolution, then Enter)", "close"],
  ["/", "Search the tickets", "search"],
  ["Ctrl+Enter", "Send the reply or note (also while writing)", "send"],
  ["?", "Show these shortcuts", "help"],
];

const KEYS = { n: "next", c: "claim", r: "reply", i: "note", x: "close", "/": "search", "?": "help" };

function writing(target) {
  if (!(target instanceof Element)) return false;
  if (target.isContentEditable) return true;
  if (target.tagName === "TEXTAREA" || target.tagName === "SELECT") return true;
  return target.tagName === "INPUT" && !["checkbox", "radio", "button", "submit"].includes(target.type);
}

/** actions: {next, claim, reply, note, close, search, send}: what each shortcut does */
export function createShortcuts({ actions, enabled }) {
  const dialog = byId("shortcuts");
  const list = byId("shortcuts-list");
  let returnTo = null;

  list.replaceChildren(
    ...SHORTCUTS.flatMap(([keys, what]) => [
      el("dt", {}, ...keys.split("+").flatMap((k, i) => [i ? "+" : null, el("kbd", {}, k)])),
      el("dd", {}, what),
    ]),
  );

  function focusable() {
    return [...dialog.querySelectorAll("button, [href], input, select, textarea, [tabindex]:not([tabindex='-1'])")].filter(
      (node) => !node.disabled && !node.hidden,
    );
  }

  function openDialog() {
    if (!dialog.hidden) return;
    returnTo = document.activeElement;
    dialog.hidden = false;
    document.body.classList.add("modal-open");
    byId("app").setAttribute("inert", "");
    byId("shortcuts-close").focus();
  }

  function closeDialog() {
    if (dialog.hidden) return;
    dialog.hidden = true;
    document.body.classList.remove("modal-open");
    byId("app").removeAttribute("inert");
    if (returnTo && typeof returnTo.focus === "function" && document.contains(returnTo)) returnTo.focus();
    returnTo = null;
  }

  dialog.addEventListener("keydown", (event) => {
    if (event.key === "Escape") {
      event.preventDefault();
      closeDialog();
      return;
    }
    if (event.key !== "Tab") return;
    const nodes = focusable();
    if (!nodes.length) return;
    const first = nodes[0];
    const last = nodes[nodes.length - 1];
    if (event.shiftKey && document.activeElement === first) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && document.activeElement === last) {
      event.preventDefault();
      first.focus();
    }
  });
  // A click on the backdrop closes it too.
  dialog.addEventListener("click", (event) => event.target === dialog && closeDialog());
  byId("shortcuts-close").addEventListener("click", closeDialog);
  byId("shortcuts-button").addEventListener("click", openDialog);

  document.addEventListener("keydown", (event) => {
    if (!enabled() || !dialog.hidden || event.defaultPrevented) return;
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      actions.send();
      return;
    }
    if (event.altKey || event.ctrlKey || event.metaKey || writing(event.target)) return;
    const action = KEYS[event.key] || KEYS[event.key.toLowerCase()];
    if (!action) return;
    event.preventDefault();
    if (action === "help") openDialog();
    else actions[action]();
  });

  return { open: openDialog, close: closeDialog };
}
