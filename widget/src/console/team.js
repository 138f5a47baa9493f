// The team in the sidebar (every enabled agent, who is online) and my own status.
import { byId, el } from "../shared/dom.js";
import { KEYS, load, save } from "./storage.js";

const ORDER = { online: 0, away: 1, offline: 2 };

/**
 * session: who is logged in
 * call(event, payload, options): an emit with an ack (connection.js)
 * onChange(): the agents or their statuses changed (the transfer choices follow)
 */
export function createTeam({ session, call, onChange }) {
  const list = byId("team");
  const select = byId("presence");
  let agents = []; // from the snapshot: every enabled agent
  let presence = null; // Map id -> {status, chats} from `presence` events (connected agents)

  function reset() {
    agents = [];
    presence = null;
    render();
  }

  function loadSnapshot(snapshotAgents) {
    agents = Array.isArray(snapshotAgents) ? snapshotAgents : [];
    presence = null;
    const me = agents.find((a) => session.me && a.id === session.me.id);
    if (me && (me.status === "online" || me.status === "away")) select.value = load(KEYS.presence, me.status);
    render();
  }

  /** After a reconnect: an agent who had set "away" in this tab stays away. */
  function restoreMyStatus() {
    if (load(KEYS.presence, "online") !== "away") return;
    select.value = "away";
    call("presence", { status: "away" }, { quiet: true });
  }

  function onPresence(event) {
    const connected = event && Array.isArray(event.agents) ? event.agents : [];
    presence = new Map(connected.map((a) => [a.id, a]));
    for (const agent of connected) {
      if (!agents.some((a) => a.id === agent.id)) agents.push({ id: agent.id, name: agent.name, status: agent.status });
    }
    const me = session.me && presence.get(session.me.id);
    if (me && (me.status === "online" || me.status === "away") && select.value !== me.status) {
      select.value = me.status;
      save(KEYS.presence, me.status);
    }
    render();
  }

  function status(agent) {
    if (presence) return presence.has(agent.id) ? presence.get(agent.id).status : "offline";
    return agent.status || "offline";
  }

  function render() {
    const sorted = [...agents].sort((a, b) => ORDER[status(a)] - ORDER[status(b)] || String(a.name).localeCompare(String(b.name)));
    list.replaceChildren(
      ...sorted.map((agent) => {
        const agentStatus = status(agent);
        const me = session.me && agent.id === session.me.id ? " (you)" : "";
        return el(
          "li",
          { class: `team-member ${agentStatus}` },
          el("span", { class: "dot", "aria-hidden": "true" }),
          el("span", { class: "team-name" }, `${agent.name || "Agent"}${me}`),
          el("span", { class: "team-status" }, agentStatus),
        );
      }),
    );
    onChange();
  }

  select.addEventListener("change", async () => {
    const chosen = select.value === "away" ? "away" : "online";
    save(KEYS.presence, chosen);
    await call("presence", { status: chosen });
  });

  return {
    reset,
    loadSnapshot,
    restoreMyStatus,
    onPresence,
    status,
    get agents() {
      return agents;
    },
  };
}
