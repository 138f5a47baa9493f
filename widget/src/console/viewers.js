// Who else has the open chat on screen: "Ana is viewing", "Ana is typing…". The console
// tells the server which ticket it shows (`view`); the server tells the other consoles
// on that chat (`viewer` events), and this console hears theirs.
import { byId } from "../shared/dom.js";

/** call: an emit with an ack (connection.js) */
export function createViewers({ call }) {
  const line = byId("conv-viewers");
  let shown = null; // the ticket this console shows
  let me = null; // this console's viewer id
  let others = new Map(); // viewer id -> {name, state}

  function render() {
    const typing = [...others.values()].filter((v) => v.state === "typing").map((v) => v.name);
    const viewing = [...others.values()].filter((v) => v.state !== "typing").map((v) => v.name);
    const parts = [];
    if (typing.length) parts.push(`${names(typing)} ${typing.length > 1 ? "are" : "is"} typing…`);
    if (viewing.length) parts.push(`${names(viewing)} ${viewing.length > 1 ? "are" : "is"} viewing`);
    line.textContent = parts.join(" · ");
    line.hidden = parts.length === 0;
    line.classList.toggle("typing-now", typing.length > 0);
  }

  /** The console shows this ticket now (null: none). */
  async function show(number) {
    shown = number || null;
    others = new Map();
    render();
    const ack = await call("view", { ticket: shown }, { quiet: true });
    if (!ack || shown !== (number || null)) return;
    me = ack.viewer || null;
    // Our own entry may have come back before the ack said which one it is.
    others.delete(me);
    render();
    for (const viewer of Array.isArray(ack.viewers) ? ack.viewers : []) onViewer(viewer);
  }

  function onViewer(event) {
    if (!event || !shown || event.ticket !== shown || !event.viewer || event.viewer === me) return;
    if (event.state === "left") others.delete(event.viewer);
    else others.set(event.viewer, { name: (event.agent && event.agent.name) || "Another agent", state: event.state });
    render();
  }

  /** The connection is gone, and the server forgot this console's entry with it. */
  function forget() {
    others = new Map();
    me = null;
    render();
  }

  return { show, onViewer, forget, get shown() { return shown; } };
}

function names(list) {
  if (list.length <= 2) return list.join(" and ");
  return `${list.slice(0, -1).join(", ")} and ${list[list.length - 1]}`;
}
