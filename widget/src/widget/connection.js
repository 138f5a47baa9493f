// The customer's connection: who this browser is (a portal customer's signed token, or
// the visitor token the server gave it), the Socket.IO socket to the chat server, and
// the session the server opened over it.
import { io } from "socket.io-client";
import { forget } from "../shared/storage.js";
import { NEW_VISITOR, moveOutbox, scopeOf } from "./outboxes.js";

const TOKEN_KEY = "chatbot.visitor_token";
// The conversation on screen, asked for again on reconnect (the server opens it only when
// it is this customer's; else their newest).
const CONVERSATION_KEY = "chatbot.conversation";

/**
 * server: the chat server's origin; locale: the page's language
 * hooks (the server's events):
 *   session(info, live): the server let us in; `live` ({scope, conversation}) is the
 *     session until the next one, and `connection.session` is it while it lasts
 *   message, ticket, queue, typing, resync: the server's events of the same names
 *   disconnect(): the connection is gone
 *   refused(reason): the connection was refused: "identity" (the portal's login is not
 *     valid), "unavailable" or "slow" (for now: tried again), or null (no reason given)
 */
export function createConnection({ server, locale, hooks }) {
  const identity = {
    locale,
    userToken: null,
    connecting: null, // the outbox scope of the connection being opened
  };
  let session = null;

  const visitorToken = () => localStorage.getItem(TOKEN_KEY);

  const socket = io(server, {
    transports: ["websocket"],
    autoConnect: false,
    auth: (cb) => {
      const auth = { locale: identity.locale };
      const token = visitorToken();
      const open = localStorage.getItem(CONVERSATION_KEY);
      if (open) auth.conversation_id = open;
      if (identity.userToken) auth.user_token = identity.userToken;
      else if (token) auth.visitor_token = token;
      identity.connecting = scopeOf(identity.userToken, token);
      cb(auth);
    },
  });

  socket.on("session", (info) => {
    let scope = identity.connecting; // who the server let in: the identity this connection sent
    if (info.visitor_token) {
      localStorage.setItem(TOKEN_KEY, info.visitor_token);
      scope = scopeOf(null, info.visitor_token);
      // The server started a visitor for this browser, which had none: what was written
      // meanwhile is this visitor's.
      if (identity.connecting === NEW_VISITOR) moveOutbox(NEW_VISITOR, scope);
    }
    if (info.conversation_id) localStorage.setItem(CONVERSATION_KEY, info.conversation_id);
    const live = { scope, conversation: info.conversation_id };
    session = live;
    return hooks.session(info, live);
  });
  for (const name of ["message", "ticket", "queue", "typing", "resync"]) socket.on(name, hooks[name]);
  socket.on("disconnect", () => {
    session = null;
    hooks.disconnect();
  });
  socket.on("connect_error", (error) => {
    const code = error && error.data && error.data.code;
    if (code === "invalid_token" && !identity.userToken) {
      // Forged or from another server: start afresh. The refused token names no conversation
      // anyone can reach; what this browser wrote under it goes to the visitor it becomes.
      if (identity.connecting && identity.connecting.startsWith("v")) moveOutbox(identity.connecting, NEW_VISITOR);
      forget(localStorage, TOKEN_KEY);
      socket.connect();
    } else if (code === "invalid_token") {
      // The portal's signed login was refused (expired or not valid): say so, and do not
      // fall back to an anonymous chat that would not know the customer.
      hooks.refused("identity");
    } else if (code === "temporarily_unavailable" || code === "rate_limited") {
      // Refused for now, not for good: say so and try again (socket.io does not retry a
      // refused connection by itself).
      hooks.refused(code === "rate_limited" ? "slow" : "unavailable");
      setTimeout(() => socket.connect(), 3000 + Math.random() * 2000);
    } else {
      hooks.refused(null);
    }
  });

  /** The identity the next connection will be: the portal's customer, or this browser's visitor. */
  function currentScope() {
    return scopeOf(identity.userToken, visitorToken());
  }

  function reconnect() {
    socket.disconnect();
    // What socket.io buffered while the connection was down would go out over the next one,
    // whoever it is for: the outbox, not this buffer, is what is sent again.
    socket.sendBuffer = [];
    socket.connect();
  }

  return {
    /** The open session: {scope, conversation}; null while there is none. */
    get session() {
      return session;
    },
    get connected() {
      return socket.connected;
    },
    /** Nothing more goes out for the session on screen (another identity's chat opens). */
    leave() {
      session = null;
    },
    currentScope,
    setLocale(lang) {
      identity.locale = lang;
    },
    setUser(userToken) {
      identity.userToken = userToken || null;
    },
    /** This browser's visitor is forgotten (on logout). */
    forgetVisitor() {
      forget(localStorage, TOKEN_KEY);
      forget(localStorage, CONVERSATION_KEY);
    },
    /** An emit that waits `timeout` ms for the server's ack (rejects without one). */
    ask: (event, payload, timeout) => socket.timeout(timeout).emitWithAck(event, payload),
    emit: (event, payload) => socket.emit(event, payload),
    connect: () => socket.connect(),
    reconnect,
  };
}
