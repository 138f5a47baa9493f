// The sidebar's search and filters (language, service, priority, status, assignee). They
// live in the address's hash (#q=mail&lang=fi&status=open), so a reload, a bookmark or a
// link to a colleague keeps them.
import { byId, setOptions } from "../shared/dom.js";
import { humanize } from "../shared/format.js";
import { languageName, statusLabel } from "./labels.js";

const KEYS = ["q", "lang", "service", "priority", "status", "assignee"];
const STATUSES = ["open", "in_progress", "waiting"];

function readHash() {
  const params = new URLSearchParams(location.hash.replace(/^#/, ""));
  const state = {};
  for (const key of KEYS) state[key] = (params.get(key) || "").slice(0, 200);
  return state;
}

function searchable(ticket) {
  const customer = ticket.customer || {};
  const fields = ticket.fields && typeof ticket.fields === "object" ? Object.values(ticket.fields) : [];
  return [ticket.number, ticket.title, customer.name, customer.email, ...fields, ticket.assignee && ticket.assignee.name]
    .filter((v) => v !== null && v !== undefined)
    .join("\n")
    .toLowerCase();
}

/** onChange(): the filters changed: the lists are drawn again */
export function createFilters({ session, onChange }) {
  const ui = {};
  for (const id of ["filter-q", "filter-lang", "filter-service", "filter-priority", "filter-status", "filter-assignee", "filter-clear", "filter-count", "filters"]) {
    ui[id] = byId(id);
  }
  const inputs = {
    q: ui["filter-q"],
    lang: ui["filter-lang"],
    service: ui["filter-service"],
    priority: ui["filter-priority"],
    status: ui["filter-status"],
    assignee: ui["filter-assignee"],
  };
  let state = readHash();
  const known = { languages: [], services: [], priorities: [], agents: [] };

  /** The choices the snapshot offers; a value from the hash is kept even before it comes. */
  function setChoices({ languages, services, priorities, agents }) {
    if (Array.isArray(languages)) known.languages = languages;
    if (Array.isArray(services)) known.services = services;
    if (Array.isArray(priorities)) known.priorities = priorities;
    if (Array.isArray(agents)) known.agents = agents;
    const keep = (list, value) => (value && !list.includes(value) ? [...list, value] : list);
    const choose = (select, label, values, name) =>
      setOptions(select, [{ value: "", label }, ...values.map((v) => ({ value: v, label: name(v) }))], undefined);
    choose(inputs.lang, "Any language", keep(known.languages, state.lang), (v) => languageName(v));
    choose(inputs.service, "Any service", keep(known.services, state.service), humanize);
    choose(inputs.priority, "Any priority", keep(known.priorities, state.priority), humanize);
    choose(inputs.status, "Any status", keep(STATUSES, state.status), statusLabel);
    const agentIds = known.agents.map((a) => a.id);
    const agentName = (id) => {
      const agent = known.agents.find((a) => a.id === id);
      return agent ? agent.name || "Agent" : "Another agent";
    };
    setOptions(inputs.assignee, [
      { value: "", label: "Anyone" },
      { value: "none", label: "Unassigned" },
      { value: "me", label: "Me" },
      ...keep(agentIds, ["", "none", "me"].includes(state.assignee) ? "" : state.assignee)
        .filter((id) => !session.me || id !== session.me.id)
        .map((id) => ({ value: id, label: agentName(id) })),
    ]);
    show();
  }

  /** The inputs show the state. */
  function show() {
    for (const key of KEYS) if (inputs[key].value !== state[key]) inputs[key].value = state[key];
    const active = KEYS.filter((k) => state[k]).length;
    ui["filter-count"].textContent = active ? String(active) : "";
    ui["filter-count"].hidden = !active;
    ui["filter-clear"].hidden = !active;
  }

  function write() {
    const params = new URLSearchParams();
    for (const key of KEYS) if (state[key]) params.set(key, state[key]);
    const hash = params.toString();
    history.replaceState(null, "", hash ? `#${hash}` : location.pathname + location.search);
  }

  function changed() {
    for (const key of KEYS) state[key] = inputs[key].value.trim() ? inputs[key].value : "";
    write();
    show();
    onChange();
  }

  function clear() {
    for (const key of KEYS) state[key] = "";
    write();
    show();
    onChange();
    inputs.q.focus();
  }

  /** Whether the ticket passes every filter. */
  function matches(ticket) {
    if (state.lang && ticket.language !== state.lang) return false;
    if (state.service && ticket.service !== state.service) return false;
    if (state.priority && ticket.priority !== state.priority) return false;
    if (state.status && ticket.status !== state.status) return false;
    const holder = ticket.assignee && ticket.assignee.id;
    if (state.assignee === "none" && holder) return false;
    if (state.assignee === "me" && (!holder || !session.me || holder !== session.me.id)) return false;
    if (state.assignee && !["none", "me"].includes(state.assignee) && holder !== state.assignee) return false;
    const words = state.q.toLowerCase().split(/\s+/).filter(Boolean);
    if (words.length) {
      const text = searchable(ticket);
      if (!words.every((w) => text.includes(w))) return false;
    }
    return true;
  }

  for (const key of KEYS) inputs[key].addEventListener(key === "q" ? "input" : "change", changed);
  ui["filter-clear"].addEventListener("click", clear);
  window.addEventListener("hashchange", () => {
    state = readHash();
    show();
    onChange();
  });
  show();
  if (KEYS.some((k) => state[k] && k !== "q")) ui.filters.open = true;

  return {
    matches,
    setChoices,
    focusSearch: () => inputs.q.focus(),
    get active() {
      return KEYS.some((k) => state[k]);
    },
  };
}
