// Incidents for admins: a view in place of the conversation to announce an outage (the
// service, the affected servers or domains, what customers are told), list them with the
// tickets linked to each, and resolve one (its linked tickets close). Over the REST API
// (/api/incidents, chatbot/web/incidents_api.py) with the session's token; the `incident`
// event from the server refreshes the list when another admin changes it.
import { byId, cssEscape, el, setOptions } from "../shared/dom.js";
import { dateTime, humanize } from "../shared/format.js";
import { languageName, statusLabel } from "./labels.js";

/**
 * session: the token and who is logged in; notice: the notice bar
 * hooks: show() / hide(): this view takes the main area or gives it back;
 *        open(number): open a linked ticket's conversation
 */
export function createIncidents({ session, notice, hooks }) {
  const ui = {};
  for (const id of [
    "incidents-button", "incidents-view", "incidents-close", "incident-form", "incident-service", "incident-targets",
    "incident-lang", "incident-message", "incident-create", "incidents-list", "incidents-error",
  ]) {
    ui[id] = byId(id);
  }
  let open = false;

  async function api(method, path, body) {
    let response;
    try {
      response = await fetch(`/api${path}`, {
        method,
        headers: { Authorization: `Bearer ${session.token}`, Accept: "application/json", ...(body ? { "Content-Type": "application/json" } : {}) },
        body: body ? JSON.stringify(body) : undefined,
        credentials: "same-origin",
      });
    } catch {
      notice.show("Cannot reach the server. Check your connection and try again.");
      return null;
    }
    let data = null;
    try {
      data = await response.json();
    } catch {
      data = null;
    }
    if (!response.ok) {
      const error = (data && data.error) || {};
      notice.show(error.message || `The server answered HTTP ${response.status}.`);
      return null;
    }
    return data;
  }

  /** Only admins see the Incidents button. */
  function allow(allowed) {
    ui["incidents-button"].hidden = !allowed;
  }

  /** The choices of the form, from the snapshot. */
  function setChoices({ services, languages }) {
    if (Array.isArray(services) && services.length) {
      setOptions(ui["incident-service"], services.map((s) => ({ value: s, label: humanize(s) })), ui["incident-service"].value || undefined);
    }
    if (Array.isArray(languages) && languages.length) {
      setOptions(ui["incident-lang"], languages.map((l) => ({ value: l, label: languageName(l) })), ui["incident-lang"].value || "en");
    }
  }

  async function show() {
    open = true;
    hooks.show();
    ui["incidents-button"].classList.add("active");
    ui["incidents-view"].hidden = false;
    await load();
    ui["incident-service"].focus();
  }

  function close() {
    if (!open) return;
    open = false;
    ui["incidents-view"].hidden = true;
    ui["incidents-button"].classList.remove("active");
    hooks.hide();
  }

  async function load() {
    const data = await api("GET", "/incidents");
    if (!open) return;
    if (!data) {
      ui["incidents-list"].replaceChildren(el("li", { class: "muted" }, "The incidents could not be loaded."));
      return;
    }
    const incidents = Array.isArray(data.incidents) ? data.incidents : [];
    if (!incidents.length) {
      ui["incidents-list"].replaceChildren(el("li", { class: "muted" }, "No incidents yet."));
      return;
    }
    ui["incidents-list"].replaceChildren(...incidents.map(item));
    await Promise.all(incidents.map(loadTickets));
  }

  function item(incident) {
    const active = !incident.resolved_at;
    const message = Object.entries(incident.messages || {})[0];
    const node = el(
      "li",
      { class: `incident${active ? " active" : ""}`, "data-incident": incident.id },
      el(
        "div",
        { class: "incident-top" },
        el("span", { class: `incident-state ${active ? "is-active" : "is-resolved"}` }, active ? "Active" : "Resolved"),
        el("strong", { class: "incident-service" }, humanize(incident.service)),
        el("span", { class: "muted small" }, `${incident.id} · since ${dateTime(incident.started_at)}`),
      ),
      message ? el("p", { class: "incident-message" }, `${languageName(message[0])}: ${message[1]}`) : null,
      incident.targets && incident.targets.length ? el("p", { class: "small" }, `Affects: ${incident.targets.join(", ")}`) : null,
      active ? null : el("p", { class: "small muted" }, `Resolved ${dateTime(incident.resolved_at)}`),
      el("div", { class: "incident-tickets", "aria-label": `Tickets linked to ${incident.id}` }, el("span", { class: "muted small" }, "Loading linked tickets…")),
    );
    if (active) {
      node.append(el("button", { type: "button", class: "btn btn-danger resolve", "data-incident": incident.id }, "Resolve"));
    }
    return node;
  }

  async function loadTickets(incident) {
    const data = await api("GET", `/incidents/${encodeURIComponent(incident.id)}`);
    const box = ui["incidents-list"].querySelector(`li[data-incident="${cssEscape(incident.id)}"] .incident-tickets`);
    if (!box || !data) return;
    const tickets = Array.isArray(data.tickets) ? data.tickets : [];
    if (!tickets.length) {
      box.replaceChildren(el("span", { class: "muted small" }, "No linked tickets."));
      return;
    }
    box.replaceChildren(
      el("span", { class: "small" }, `Linked tickets (${tickets.length}): `),
      ...tickets.map((t) =>
        el("button", { type: "button", class: "linked-ticket", "data-ticket": t.number }, `${t.number} · ${statusLabel(t.status)}`),
      ),
    );
  }

  async function create(event) {
    event.preventDefault();
    const message = ui["incident-message"].value.trim();
    if (!message) {
      notice.show("Write what customers are told about the incident.");
      ui["incident-message"].focus();
      return;
    }
    const targets = ui["incident-targets"].value.split(/[\s,]+/).map((t) => t.trim().toLowerCase()).filter(Boolean);
    ui["incident-create"].disabled = true;
    const data = await api("POST", "/incidents", {
      service: ui["incident-service"].value,
      targets,
      messages: { [ui["incident-lang"].value || "en"]: message },
    });
    ui["incident-create"].disabled = false;
    if (!data) return;
    ui["incident-message"].value = "";
    ui["incident-targets"].value = "";
    notice.show(`Incident ${data.incident.id} announced.`, "info");
    await load();
  }

  async function resolve(id, button) {
    button.disabled = true;
    const data = await api("POST", `/incidents/${encodeURIComponent(id)}/resolve`, {});
    button.disabled = false;
    if (!data) return;
    const closed = Array.isArray(data.closed_tickets) ? data.closed_tickets.length : 0;
    notice.show(`Incident ${id} resolved; ${closed} linked ticket${closed === 1 ? "" : "s"} closed.`, "info");
    await load();
  }

  ui["incidents-button"].addEventListener("click", () => (open ? close() : show()));
  ui["incidents-close"].addEventListener("click", close);
  ui["incident-form"].addEventListener("submit", create);
  ui["incidents-list"].addEventListener("click", (event) => {
    const resolveButton = event.target.closest("button.resolve");
    if (resolveButton) {
      resolve(resolveButton.getAttribute("data-incident"), resolveButton);
      return;
    }
    const linked = event.target.closest("button.linked-ticket");
    if (linked) {
      close();
      hooks.open(linked.getAttribute("data-ticket"));
    }
  });

  return {
    allow,
    setChoices,
    close,
    /** Another admin announced or resolved one. */
    onIncident: () => open && load(),
    get open() {
      return open;
    },
  };
}
