// The ticket banner under the header: the ticket's number and title, and where it stands
// (closed, an agent joined, the queue position, or when to expect an answer).
import { el } from "../shared/dom.js";
import { fill } from "../shared/format.js";
import { texts } from "./i18n.js";

/** line: the banner element; chat: for the language */
export function createBanner(line, chat) {
  let ticket = null;

  function show(next) {
    if (!next) {
      line.hidden = true;
      ticket = null;
      return;
    }
    ticket = next;
    const t = texts(chat.lang);
    let text = `: ${ticket.title}`;
    if (ticket.status === "closed") {
      text += ` · ${t.closed}`;
    } else if (ticket.agent && ticket.agent.name) {
      text += ` · ${fill(t.joined, { agent: ticket.agent.name })}`;
    } else if (ticket.position && ticket.agents_online) {
      text += ` · ${t.queue}: ${ticket.position}`;
    } else if (ticket.expected_text) {
      text += ` · ${t.expected}: ${ticket.expected_text}`; // written out by the server
    }
    line.replaceChildren(`${t.ticket} `, el("span", { class: "number" }, ticket.number), text);
    line.hidden = false;
  }

  /** A `queue` event: the place in the queue of the ticket shown. */
  function position(update) {
    if (ticket && update && ticket.number === update.number) {
      show({ ...ticket, position: update.position, agents_online: update.agents_online });
    }
  }

  return { show, position, hide: () => (line.hidden = true) };
}
