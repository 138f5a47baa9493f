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
import { createActions } from "./console/actions.js";
import { createComposer } from "./console/composer.js";
import { createConnection } from "./console/connection.js";
import { createConversation } from "./console/conversation.js";
import { createDetails } from "./console/details.js";
import { createKb } from "./console/kb.js";
import { createNotice } from "./console/notice.js";
import { createQueue } from "./console/queue.js";
import { createReports } from "./console/reports.js";
import { createSending } from "./console/sending.js";
import { createSession } from "./console/session.js";
import { KEYS, load } from "./console/storage.js";
import { createTeam } from "./console/team.js";
import { createTranscript } from "./console/transcript.js";

const notice = createNotice();

const session = createSession({
  onLogin: start,
  beforeLogout: () => composer.stopTyping(),
  onEnd: teardown,
  onMe: (agent) => reports.allow(agent.role === "admin"),
});

const connection = createConnection({
  session,
  notice,
  onUnauthorized: () => session.end(),
  events: {
    connect: onConnect,
    disconnect() {
      sending.stop();
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
    // After a server-side outage: events may have been lost; the store has everything.
    async resync() {
      if (!(await loadSnapshot())) return;
      if (conversation.current) await conversation.open(conversation.current.number, { refresh: true });
    },
  },
});
const call = connection.call;

const reports = createReports({ call });

const queue = createQueue({
  session,
  notice,
  onOpen: (number) => conversation.open(number),
  onClaim: (number) => actions.claim(number),
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
    beforeOpen: () => reports.close(),
    opening(current) {
      composer.stopTyping();
      details.show(true);
      kb.reset();
      actions.reset();
      composer.reset();
      details.renderCustomerTickets(current);
    },
    render: renderOpen,
    closed: () => details.show(false),
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
});

const kb = createKb({ call, notice, conversation, sending });

/** The open conversation's header, composer and article buttons, drawn for its ticket. */
function renderConversation(current) {
  actions.render(current);
  composer.render(current);
  if (current.ticket) kb.render();
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
  if (ack.me) session.setMe(ack.me);
  composer.setCanned(ack.canned);
  details.setPriorities(ack.priorities);
  sending.keepOnlyOurs();
  queue.loadSnapshot(ack);
  team.loadSnapshot(ack.agents);
  if (conversation.current) renderOpen(conversation.current);
  return true;
}

async function onConnect(socket) {
  const ok = await loadSnapshot();
  if (!ok || connection.socket !== socket) return;
  team.restoreMyStatus();
  if (conversation.current) await conversation.open(conversation.current.number, { refresh: true });
  else if (load(KEYS.open, null)) await conversation.open(load(KEYS.open, null)); // after a reload
  if (connection.isUp(socket)) sending.start(socket);
}

/** The session is over: nothing of it stays on screen or connected. */
function teardown() {
  connection.disconnect();
  sending.stop();
  notice.hide();
  reports.close();
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
