// One outbox per identity in localStorage ("chatbot.outbox.<scope>"): the customer's
// unsent messages, kept through reloads and flaky connections, and sent only over a
// connection of the identity that wrote them. How they are sent: shared/outbox.js.
import { Outbox } from "../shared/outbox.js";
import { sha256Hex } from "../shared/sha256.js";
import { forget, storedKeys } from "../shared/storage.js";

const OUTBOX_PREFIX = "chatbot.outbox.";
// The one outbox of older widgets, for every identity at once.
const LEGACY_OUTBOX = "chatbot.outbox";
// Messages written while this browser has no identity yet (a first visit offline, or after
// a logout): they belong to the visitor the server starts for this browser next.
export const NEW_VISITOR = "new";

// The scope of an identity is a hash, so that no storage key holds a token. A portal
// customer is their user id ("sub"): a renewed token of the same customer keeps the
// outbox. A visitor is their visitor token.
export function scopeOf(userToken, visitorToken) {
  if (userToken) {
    const subject = tokenSubject(userToken);
    return "u" + sha256Hex(subject ? `sub:${subject}` : `token:${userToken}`).slice(0, 32);
  }
  // The visitor id inside the token: the server renews the token, the visitor stays.
  const visitor = visitorToken ? visitorToken.split(".")[1] || visitorToken : "";
  return visitor ? "v" + sha256Hex(`visitor:${visitor}`).slice(0, 32) : NEW_VISITOR;
}

// The user id in a portal token, read without checking the signature: the server checks
// it, and refuses the connection this outbox would be sent over when it is forged.
function tokenSubject(token) {
  try {
    const body = token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
    const claims = JSON.parse(new TextDecoder().decode(Uint8Array.from(atob(body), (c) => c.charCodeAt(0))));
    return typeof claims.sub === "string" && claims.sub ? claims.sub : null;
  } catch {
    return null;
  }
}

/** The outbox of one identity's scope. */
export function outboxOf(scope) {
  return new Outbox(localStorage, OUTBOX_PREFIX + scope);
}

export function moveOutbox(from, to) {
  const moved = outboxOf(from).items();
  if (from === to || !moved.length) return;
  const target = outboxOf(to);
  target.write([...target.items(), ...moved]);
  outboxOf(from).clear();
}

export function dropOutboxes() {
  for (const key of storedKeys(localStorage)) {
    if (key === LEGACY_OUTBOX || key.startsWith(OUTBOX_PREFIX)) forget(localStorage, key);
  }
}

// Older widgets kept one outbox for every identity: whose its messages are, nobody can
// tell. They are not sent by themselves; shown as not sent, they go out only when the
// person at the screen presses retry.
export function adoptLegacyOutbox(scope) {
  try {
    const legacy = JSON.parse(localStorage.getItem(LEGACY_OUTBOX) || "[]");
    if (Array.isArray(legacy) && legacy.length) {
      const unconfirmed = legacy.map((item) => ({ ...item, failed: "unconfirmed" }));
      const outbox = outboxOf(scope);
      outbox.write([...unconfirmed, ...outbox.items()]);
    }
  } catch {
    // unreadable: nothing to keep
  }
  forget(localStorage, LEGACY_OUTBOX);
}
