// The console's Socket.IO connection to /agent: connecting with the session's token,
// the connection indicator, and `call`, an emit that waits for the server's ack.
import { io } from "socket.io-client";
import { byId } from "../shared/dom.js";

const ACK_TIMEOUT = 10000;
const LABELS = { connecting: "Connecting…", online: "Connected", offline: "Connection lost: reconnecting…" };
// Server events handed to `events` as they come, from the current connection only.
const SERVER_EVENTS = ["session", "queue", "ticket", "presence", "message", "note", "typing", "viewer", "incident", "resync"];

/**
 * events: {connect(socket), disconnect(), and one handler per name in SERVER_EVENTS}
 * onUnauthorized(): the server no longer accepts the session
 */
export function createConnection({ session, notice, events, onUnauthorized }) {
  const indicator = byId("connection");
  let socket = null;

  function indicate(kind) {
    indicator.dataset.state = kind;
    indicator.textContent = LABELS[kind] || "";
  }

  function connect() {
    const own = io(location.origin + "/agent", { transports: ["websocket"], auth: { token: session.token } });
    socket = own;
    const on = (event, handler) =>
      own.on(event, (...args) => {
        if (socket === own) handler(...args);
      });
    on("connect", () => {
      indicate("online");
      events.connect(own);
    });
    on("disconnect", (reason) => {
      indicate("offline");
      events.disconnect();
      if (reason === "io server disconnect") {
        // The server ended it (e.g. logged out elsewhere): try once more; a dead session
        // answers with connect_error "unauthorized".
        setTimeout(() => socket === own && own.connect(), 1000);
      }
    });
    on("connect_error", (error) => {
      const code = error && error.data && error.data.code;
      if (code === "unauthorized") onUnauthorized();
      else {
        indicate("offline");
        if (!own.active) setTimeout(() => socket === own && own.connect(), 3000);
      }
    });
    for (const name of SERVER_EVENTS) on(name, events[name]);
  }

  function disconnect() {
    const own = socket;
    socket = null;
    if (own) own.disconnect();
  }

  /** Emit with an ack; returns the ack when ok, else shows the error and returns null. */
  async function call(event, payload, { quiet = false } = {}) {
    const own = socket;
    if (!own || !own.connected) {
      if (!quiet) notice.show("Not connected to the server; try again in a moment.");
      return null;
    }
    let ack;
    try {
      ack = await own.timeout(ACK_TIMEOUT).emitWithAck(event, payload);
    } catch {
      if (!quiet && socket === own) notice.show("The server did not answer in time; please try again.");
      return null;
    }
    if (socket !== own) return null;
    if (ack && ack.ok) return ack;
    const error = (ack && ack.error) || { code: "internal_error", message: "Unexpected answer from the server." };
    if (error.code === "unauthorized") {
      onUnauthorized();
      return null;
    }
    if (!quiet) notice.show(error.message || error.code);
    return null;
  }

  /** The same connection, still up: what a sender checks before each emit. */
  const isUp = (own) => socket === own && own.connected;

  return {
    connect,
    disconnect,
    call,
    indicate,
    isUp,
    get socket() {
      return socket;
    },
    ackTimeout: ACK_TIMEOUT,
  };
}
