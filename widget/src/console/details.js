// The details pane beside the conversation: the ticket's editable fields and priority
// (every value shown whole: the boxes grow with their text), the domain diagnosis as
// sentences, its facts, SLA and rating, who the customer is, and their earlier tickets.
import { byId, cssEscape, el, setOptions } from "../shared/dom.js";
import { dateTime, humanize, stars } from "../shared/format.js";
import { languageName, statusLabel } from "./labels.js";
import { slaBadge } from "./sla.js";

/**
 * call, notice, conversation (conversation.js)
 * hooks:
 *   applyTicket(ticket): the saved ticket came with the ack
 *   open(number): open an earlier ticket's conversation
 * now(): the server's time (clock.js)
 */
export function createDetails({ call, notice, conversation, hooks, now }) {
  const ui = {};
  for (const id of [
    "details-empty", "details-main", "ticket-form", "ticket-title", "ticket-fields", "ticket-priority",
    "ticket-save", "ticket-saved", "ticket-facts", "ticket-rating", "rating-panel", "customer-details", "customer-tickets",
    "diagnosis-panel", "diagnosis-findings", "diagnosis-domain",
  ]) {
    ui[id] = byId(id);
  }
  let priorities = ["urgent", "vip", "high", "normal", "low"];

  function setPriorities(list) {
    if (Array.isArray(list) && list.length) priorities = list;
  }

  function show(shown) {
    ui["details-main"].hidden = !shown;
    ui["details-empty"].hidden = shown;
  }

  function render(current) {
    const ticket = current.ticket;
    if (!ticket) {
      ui["ticket-form"].hidden = true;
      ui["customer-details"].replaceChildren(el("p", { class: "muted" }, "Loading…"));
      return;
    }
    ui["ticket-form"].hidden = false;
    if (!current.dirty) renderForm(ticket);
    const closed = ticket.status === "closed";
    for (const input of ui["ticket-form"].querySelectorAll("input, textarea, select, button")) input.disabled = closed;
    renderDiagnosis(current.diagnosis);
    renderFacts(ticket);
    if (ticket.rating !== null && ticket.rating !== undefined) {
      const score = Number(ticket.rating);
      const comment = ticket.rating_comment ? ` — ${ticket.rating_comment}` : "";
      ui["ticket-rating"].textContent = `${stars(score)} ${score}/5${comment}`;
      ui["rating-panel"].hidden = false;
    } else {
      ui["ticket-rating"].textContent = "";
      ui["rating-panel"].hidden = true;
    }
    renderCustomer(ticket);
  }

  /** Status, times and the SLA timer: drawn again on every tick of the server's clock
   * (the form is not: an agent may be in it). */
  function renderFacts(ticket) {
    const closed = ticket.status === "closed";
    const facts = [
      ["Status", statusLabel(ticket.status)],
      ["Language", languageName(ticket.language)],
      ["Service", ticket.service ? humanize(ticket.service) : "—"],
      ["Created", dateTime(ticket.created_at)],
    ];
    if (ticket.expected_response && !closed) {
      const sla = slaBadge(ticket, now());
      facts.push(["Respond by", sla ? [dateTime(ticket.expected_response), " ", sla] : dateTime(ticket.expected_response)]);
    }
    if (ticket.first_response_at) facts.push(["First response", dateTime(ticket.first_response_at)]);
    if (closed) {
      facts.push(["Closed", dateTime(ticket.closed_at)]);
      if (ticket.resolution) facts.push(["Resolution", String(ticket.resolution)]);
    }
    ui["ticket-facts"].replaceChildren(...facts.flatMap(([k, v]) => [el("dt", {}, k), el("dd", {}, v)]));
  }

  /** Title, every field (the ones still missing empty) and the priority. */
  function renderForm(ticket) {
    ui["ticket-title"].value = String(ticket.title || "");
    const fields = ticket.fields && typeof ticket.fields === "object" ? ticket.fields : {};
    const names = [...Object.keys(fields)];
    for (const name of Array.isArray(ticket.missing) ? ticket.missing : []) if (!names.includes(name)) names.push(name);
    ui["ticket-fields"].replaceChildren(
      ...names.map((name) => {
        const missing = !(name in fields);
        // A textarea that grows with its text: a long description or address is read
        // whole, never cut off at the box's edge.
        const input = el("textarea", {
          "data-field": name,
          maxlength: "1000",
          rows: "1",
          placeholder: missing ? "missing" : null,
          class: `grow${missing ? " missing" : ""}`,
        });
        input.value = missing ? "" : String(fields[name] ?? "");
        if (name === "diagnosis" && !missing) {
          // The sentences are shown above; the raw line stays editable, folded away.
          return el("details", { class: "field raw-field" }, el("summary", {}, "Diagnosis (raw codes)"), input);
        }
        return el("label", { class: "field" }, el("span", {}, humanize(name)), input);
      }),
    );
    setOptions(
      ui["ticket-priority"],
      priorities.map((p) => ({ value: p, label: humanize(p) })),
      priorities.includes(ticket.priority) ? ticket.priority : undefined,
    );
  }

  /** The domain diagnosis as sentences ({domain, service, findings: [{ok, text}]}). */
  function renderDiagnosis(diagnosis) {
    const findings = diagnosis && Array.isArray(diagnosis.findings) ? diagnosis.findings : [];
    ui["diagnosis-panel"].hidden = !diagnosis;
    if (!diagnosis) return;
    ui["diagnosis-domain"].textContent = `${diagnosis.domain}${diagnosis.service ? ` · ${humanize(diagnosis.service)}` : ""}`;
    ui["diagnosis-findings"].replaceChildren(
      ...(findings.length
        ? findings.map((f) =>
            el("li", { class: `finding ${f.ok ? "finding-ok" : "finding-problem"}` },
              el("span", { class: "finding-mark", "aria-hidden": "true" }, f.ok ? "✓" : "!"),
              el("span", { class: "visually-hidden" }, f.ok ? "Works: " : "Problem: "),
              String(f.text || ""),
            ),
          )
        : [el("li", { class: "muted" }, "The check found nothing wrong.")]),
    );
  }

  function renderCustomer(ticket) {
    const customer = (ticket && ticket.customer) || {};
    const rows = [
      ["Name", customer.name],
      ["Email", customer.email],
      ["Plan", customer.plan],
      ["Customer number", customer.customer_number],
      ["Role", customer.role],
      ["Domains", Array.isArray(customer.domains) ? customer.domains.join(", ") : customer.domains],
    ].filter(([, v]) => v !== undefined && v !== null && String(v).trim() !== "");
    const box = ui["customer-details"];
    if (!rows.length) {
      box.replaceChildren(
        el("p", { class: "anonymous" }, "Anonymous visitor"),
        el("p", { class: "muted small" }, "Not logged in to the customer portal; identity not verified."),
      );
      return;
    }
    const list = el("dl", { class: "facts" });
    for (const [label, value] of rows) list.append(el("dt", {}, label), el("dd", {}, String(value)));
    box.replaceChildren(el("p", { class: "verified" }, "✓ Verified customer"), list);
  }

  function renderCustomerTickets(current) {
    const tickets = current ? current.customerTickets : [];
    if (!tickets.length) {
      ui["customer-tickets"].replaceChildren(el("li", { class: "muted small" }, current && current.loading ? "Loading…" : "No earlier tickets."));
      return;
    }
    ui["customer-tickets"].replaceChildren(
      ...tickets.map((ticket) => {
        const button = el(
          "button",
          { type: "button", class: "earlier", "data-ticket": ticket.number },
          el("span", { class: "earlier-top" },
            el("span", { class: "ticket-number" }, ticket.number),
            el("span", { class: `status status-${ticket.status}` }, statusLabel(ticket.status)),
          ),
          el("span", { class: "earlier-title" }, String(ticket.title || "(no title)")),
        );
        return el("li", { "data-ticket": ticket.number }, button);
      }),
    );
  }

  /** An earlier ticket in the list changed status. */
  function applyTicket(ticket) {
    for (const node of ui["customer-tickets"].querySelectorAll(`[data-ticket="${cssEscape(ticket.number)}"]`)) {
      const status = node.querySelector(".status");
      if (status) {
        status.textContent = statusLabel(ticket.status);
        status.className = `status status-${ticket.status}`;
      }
    }
  }

  async function save(event) {
    event.preventDefault();
    const current = conversation.current;
    if (!current || !current.ticket) return;
    const title = ui["ticket-title"].value.trim();
    if (!title) {
      notice.show("The title cannot be empty.");
      ui["ticket-title"].focus();
      return;
    }
    const fields = {};
    for (const input of ui["ticket-fields"].querySelectorAll("[data-field]")) {
      const value = input.value.trim();
      if (value) fields[input.getAttribute("data-field")] = value;
    }
    const change = { ticket: current.number, title, fields, priority: ui["ticket-priority"].value };
    ui["ticket-save"].disabled = true;
    const ack = await call("update", change);
    ui["ticket-save"].disabled = false;
    if (!ack) return;
    if (conversation.current === current) current.dirty = false;
    if (ack.ticket) hooks.applyTicket(ack.ticket);
    ui["ticket-saved"].textContent = "Saved";
    setTimeout(() => (ui["ticket-saved"].textContent = ""), 3000);
  }

  ui["customer-tickets"].addEventListener("click", (event) => {
    const button = event.target.closest("button[data-ticket]");
    if (button) hooks.open(button.getAttribute("data-ticket"));
  });
  ui["ticket-form"].addEventListener("input", () => {
    if (conversation.current) conversation.current.dirty = true;
    ui["ticket-saved"].textContent = "";
  });
  ui["ticket-form"].addEventListener("submit", save);

  return {
    setPriorities,
    show,
    render,
    renderCustomerTickets,
    applyTicket,
    /** The clock moved on: the SLA timer follows. */
    tick: (current) => current && current.ticket && renderFacts(current.ticket),
  };
}
