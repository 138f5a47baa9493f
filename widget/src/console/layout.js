// The phone layout: below 760 px wide one pane at a time, queue -> conversation -> details,
// each with a control to go back. On a wide screen every pane shows and the controls hide.
// The pane shown is `data-pane` on <body>; the stylesheet does the rest.
import { byId } from "../shared/dom.js";

const NARROW = "(max-width: 760px)";
const HEADINGS = { queue: "queue-heading", conversation: "conv-title", details: "details-heading" };

export function createLayout() {
  const media = window.matchMedia(NARROW);
  let pane = "queue";

  function set(name, { focus = true } = {}) {
    pane = name;
    document.body.dataset.pane = name;
    if (!focus || !media.matches) return;
    // The agent (and a screen reader) lands on the pane's heading, not on a hidden control.
    const heading = byId(HEADINGS[name] || "");
    if (heading) {
      if (!heading.hasAttribute("tabindex")) heading.setAttribute("tabindex", "-1");
      heading.focus({ preventScroll: true });
    }
  }

  byId("pane-back").addEventListener("click", () => set("queue"));
  byId("pane-details").addEventListener("click", () => set("details"));
  byId("details-back").addEventListener("click", () => set("conversation"));
  set("queue", { focus: false });

  return {
    set,
    get pane() {
      return pane;
    },
    get narrow() {
      return media.matches;
    },
  };
}
