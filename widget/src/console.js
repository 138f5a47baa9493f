// The agent console: queue, live chats, notes, ticket details and reports.
// Everything from the network is rendered with textContent: never as HTML.
//
// This file only wires the panes together. Each pane (console/*.js) owns its part of the
// page and its own state, and is given what it needs from the others:
//   session.js       login, logout, who is logged in
//   connection.js    the /agent socket, `call` (emit with ack), the connection indicator
//   queue.js         the queue and my chats, unread counts, the page title
//   team.js          the team list and my own status
//   conversation.js  the open ticket: loading it, its live events
//   transcript.js    its messages and notes on screen (entries.js draws one)
//   actions.js       its header: claim, release, transfer, close
//   composer.js      reply or note, canned replies, typing
//   sending.js       the outbox of what the agent sends (shared/outbox.js)
//   details.js       ticket fields, facts, customer, earlier tickets
//   kb.js            knowledge base search, sending an article
//   reports.js       the admins' reports
//   incidents.js     the admins' incidents: announce, list with linked tickets, resolve
//   filters.js       the queue's search and filters (kept in the address's hash)
//   clock.js         the server's time, for the SLA timers (sla.js)
//   viewers.js       "Ana is viewing" / "Ana is typing" on the open chat
//   layout.js        the phone layout: one pane at a time
//   shortcuts.js     keyboard shortcuts and their dialog on "?"
import { byId } from "./shared/dom.js";
import { createActions } from "./console/actions.js";
import { createServerClock } from "./console/clock.js";
import { createComposer } from "./console/composer.js";
import { createConnection } from "./console/connection.js";
import { createConversation } from "./console/conversation.js";
import { createDetails } from "./console/details.js";
import { createFilters } from "./console/filters.js";
import { createIncidents } from "./console/incidents.js";
import { createKb } from "./console/kb.js";
import { createLayout } from "./console/layout.js";
import { createNotice } from "./console/notice.js";
import { createQueue } from "./console/queue.js";
import { createReports } from "./console/reports.js";
import { createSending } from "./console/sending.js";
import { createSession } from "./console/session.js";
import { createShortcuts } from "./console/shortcuts.js";
import { slaBadge } from "./console/sla.js";
import { KEYS, load } from "./console/storage.js";
import { createTeam } from "./console/team.js";
import { createTranscript } from "./console/transcript.js";
import { createViewers } from "./console/viewers.js";

const notice = createNotice();
const layout = createLayout();

const session = createSession({
  onLogin: start,
  beforeLogout: () => composer.stopTyping(),
  onEnd: teardown,
  onMe(agent) {
    reports.allow(agent.role === "admin");
    incidents.allow(agent.role === "admin");
  },
});

const connection = createConnection({
  session,
  notice,
  onUnauthorized: () => session.end(),
  events: {
    connect: onConnect,
    disconnect() {
      sending.stop();
      clock.stop();
      viewers.forget();
      transcript.hideTyping();
      composer.forgetTyping();
    },
    session: (event) => event && event.agent && session.setMe(event.agent),
    queue: (event) => queue.onQueue(event),
    ticket: (ticket) => ticket && ticket.number && applyTicket(ticket),
    presence: (event) => team.onPresence(event),
    message: (message) => conversation.onMessage(message),
    note: (note) => conversation.onNote(note),
    typing: (event) => conversation.onTyping(event),
    viewer: (event) => viewers.onViewer(event),
    incident: () => incidents.onIncident(),
    // After a server-side outage: events may have been lost; the store has everything.
    async resync() {
      if (!(await loadSnapshot())) return;
      if (conversation.current) await conversation.open(conversation.current.number, { refresh: true });
    },
  },
});
const call = connection.call;

const clock = createServerClock({ call });
const viewers = createViewers({ call });

const reports = createReports({ call });

/** Reports and incidents take the main area in turn; closing gives it back to the chat. */
const incidents = createIncidents({
  session,
  notice,
  hooks: {
    show() {
      reports.close();
      byId("conversation").hidden = true;
      byId("details").hidden = true;
      layout.set("view");
    },
    hide() {
      if (!byId("reports-view").hidden) return; // the reports took over
      byId("conversation").hidden = false;
      byId("details").hidden = false;
      layout.set(conversation.current ? "conversation" : "queue");
    },
    open: (number) => conversation.open(number),
  },
});
byId("reports-button").addEventListener("click", () => {
  incidents.close();
  if (!byId("reports-view").hidden) layout.set("view");
});
byId("reports-close").addEventListener("click", () => layout.set(conversation.current ? "conversation" : "queue"));

const filters = createFilters({ session, onChange: () => queue.render() });

const queue = createQueue({
  session,
  notice,
  onOpen: (number) => conversation.open(number),
  onClaim: (number) => actions.claim(number),
  filters,
  now: clock.now,
});

const team = createTeam({ session, call, onChange: () => actions.renderTransferOptions() });

const transcript = createTranscript({ session, names: () => ({ customerName: conversation.customerName() }) });

const sending = createSending({ session, notice, transcript, isUp: connection.isUp, ackTimeout: connection.ackTimeout });

const conversation = createConversation({
  session,
  call,
  queue,
  transcript,
  hooks: {
    beforeOpen() {
      reports.close();
      incidents.close();
      layout.set("conversation");
    },
    opening(current) {
      viewers.show(current.number);
      composer.stopTyping();
      details.show(true);
      kb.reset();
      actions.reset();
      composer.reset();
      details.renderCustomerTickets(current);
    },
    render: renderOpen,
    closed() {
      details.show(false);
      viewers.show(null);
      layout.set("queue", { focus: false });
    },
    loaded: (current) => details.renderCustomerTickets(current),
    applyTicket,
    lostChat: () => composer.stopTyping(),
    focus: () => composer.focus(),
    pendingOf: (number) => sending.pendingOf(number),
  },
});

const actions = createActions({
  session,
  call,
  notice,
  team,
  conversation,
  hooks: {
    applyTicket,
    open: (number) => conversation.open(number),
    claimed() {
      renderConversation(conversation.current);
      composer.focus();
    },
    stopTyping: () => composer.stopTyping(),
  },
});

const composer = createComposer({
  session,
  call,
  notice,
  conversation,
  sending,
  onModeChange: () => conversation.current && renderConversation(conversation.current),
});

const details = createDetails({
  call,
  notice,
  conversation,
  hooks: { applyTicket, open: (number) => conversation.open(number) },
  now: clock.now,
});

const kb = createKb({ call, notice, conversation, sending });

/** The open conversation's header, composer and article buttons, drawn for its ticket. */
function renderConversation(current) {
  actions.render(current);
  renderSla(current);
  composer.render(current);
  if (current.ticket) kb.render();
}

/** The open ticket's SLA timer in its header. */
function renderSla(current) {
  const badge = current && current.ticket ? slaBadge(current.ticket, clock.now()) : null;
  byId("conv-sla").replaceChildren(...(badge ? [badge] : []));
}

/** ...and its details pane. */
function renderOpen(current) {
  renderConversation(current);
  details.render(current);
}

/** A ticket record changed (event or ack): lists, title and the open conversation follow. */
function applyTicket(ticket) {
  queue.applyTicket(ticket);
  conversation.applyTicket(ticket);
  details.applyTicket(ticket);
}

async function loadSnapshot() {
  const ack = await call("snapshot", {});
  if (!ack) return false;
  if (ack.now) clock.learn(ack.now);
  if (ack.me) session.setMe(ack.me);
  composer.setCanned(ack.canned);
  details.setPriorities(ack.priorities);
  sending.keepOnlyOurs();
  queue.loadSnapshot(ack);
  team.loadSnapshot(ack.agents);
  filters.setChoices({ languages: ack.languages, services: ack.services, priorities: ack.priorities, agents: ack.agents });
  incidents.setChoices({ services: ack.services, languages: ack.languages });
  if (conversation.current) renderOpen(conversation.current);
  return true;
}

async function onConnect(socket) {
  const ok = await loadSnapshot();
  if (!ok || connection.socket !== socket) return;
  team.restoreMyStatus();
  if (conversation.current) {
    await conversation.open(conversation.current.number, { refresh: true });
    viewers.show(conversation.current && conversation.current.number);
  } else if (load(KEYS.open, null)) await conversation.open(load(KEYS.open, null)); // after a reload
  if (connection.isUp(socket)) {
    sending.start(socket);
    clock.start();
  }
}

/** The session is over: nothing of it stays on screen or connected. */
function teardown() {
  connection.disconnect();
  sending.stop();
  notice.hide();
  reports.close();
  incidents.close();
  clock.stop();
  conversation.showEmpty();
  queue.reset();
  team.reset();
}

function start() {
  session.showApp();
  connection.indicate("connecting");
  queue.render();
  connection.connect();
}

if (session.token) start();
else session.showLogin();

// The timers move on with the server's clock: the lists and the open ticket redraw.
clock.onTick(() => {
  if (byId("app").hidden) return;
  queue.tick();
  if (conversation.current && conversation.current.ticket) {
    renderSla(conversation.current);
    details.tick(conversation.current);
  }
});

createShortcuts({
  enabled: () => !byId("app").hidden,
  actions: {
    next() {
      const numbers = queue.visible();
      if (!numbers.length) return;
      const at = conversation.current ? numbers.indexOf(conversation.current.number) : -1;
      conversation.open(numbers[(at + 1) % numbers.length]);
    },
    claim() {
      const current = conversation.current;
      if (current && current.ticket && current.ticket.status === "open" && !current.ticket.assignee) actions.claim(current.number);
      else if (!current || !current.ticket || current.ticket.status === "closed") {
        const first = queue.firstWaiting();
        if (first) actions.claim(first);
      }
    },
    reply() {
      const toggle = byId("note-toggle");
      if (toggle.checked && !toggle.disabled) {
        toggle.checked = false;
        toggle.dispatchEvent(new Event("change"));
      }
      composer.focus();
    },
    note() {
      const toggle = byId("note-toggle");
      if (!toggle.checked) {
        toggle.checked = true;
        toggle.dispatchEvent(new Event("change"));
      }
      composer.focus();
    },
    close() {
      const input = byId("close-resolution");
      if (!byId("close-group").hidden) input.focus();
    },
    search: () => filters.focusSearch(),
    send() {
      if (conversation.current && !byId("composer").hidden) byId("composer").requestSubmit();
    },
  },
});
