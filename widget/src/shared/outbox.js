// The outbox: messages written but not yet stored by the server, kept in web storage
// through reloads and lost connections, and the one rule by which the widget and the
// console send them. Each item keeps its client id until the server has stored it, so
// a message sent twice is stored once.
//
// The rule:
// - items go out one at a time, in the order they were written;
// - stored (an ok ack): the item leaves the outbox;
// - no answer, or an error after which the server has stored nothing and wants the same
//   id again (RETRIABLE): the item stays first and is sent again later, after doubling
//   waits with jitter (1, 2, 4 ... at most 30 s), or after the server's `retry_after`
//   when it says rate_limited; a new message waits behind it;
// - any other error is a refusal for good (too long, conversation gone...): the item is
//   marked `failed` with the code, skipped, and waits for the person to retry or drop it.
import { readJson, writeJson, forget } from "./storage.js";

/** Error codes after which the server has stored nothing and wants the same id again. */
export const RETRIABLE = new Set(["internal_error", "temporarily_unavailable", "rate_limited"]);

const FIRST_WAIT = 1000;
const LONGEST_WAIT = 30000;
const RATE_LIMITED_WAIT = 2000;

/** What an ack means for the item: "sent", "retry" (later, same id) or "refused". */
export function answerKind(ack) {
  if (ack && ack.ok) return "sent";
  if (!ack) return "retry";
  return RETRIABLE.has(errorOf(ack).code) ? "retry" : "refused";
}

/** The ack's error; an answer that is neither ok nor an error counts as internal_error. */
export function errorOf(ack) {
  const error = ack && ack.error;
  return error && typeof error.code === "string" ? error : { code: "internal_error", message: "unexpected answer" };
}

/** Milliseconds before the next try, after `failures` tries in a row asked to retry
 * (`error` null when there was no answer). Jitter keeps a server getting back on its
 * feet from being hit by every client at once. */
export function retryDelay(failures, error, random = Math.random) {
  if (error && error.code === "rate_limited") {
    return Math.max(1, parseFloat(error.retry_after) || RATE_LIMITED_WAIT / 1000) * 1000;
  }
  const wait = Math.min(LONGEST_WAIT, FIRST_WAIT * 2 ** (Math.max(1, failures) - 1));
  return wait * (0.8 + random() * 0.4);
}

/** The unsent items kept in one storage key, oldest first. */
export class Outbox {
  constructor(storage, key) {
    this.storage = storage;
    this.key = key;
  }

  items() {
    const items = readJson(this.storage, this.key, []);
    return Array.isArray(items) ? items.filter((item) => item && typeof item.id === "string") : [];
  }

  /** An empty outbox leaves no key behind. */
  write(items) {
    if (items.length) writeJson(this.storage, this.key, items);
    else forget(this.storage, this.key);
  }

  /** Appends the item unless one with its id is already there; true when added. */
  add(item) {
    const items = this.items();
    if (items.some((queued) => queued.id === item.id)) return false;
    this.write([...items, item]);
    return true;
  }

  find(id) {
    return this.items().find((item) => item.id === id) || null;
  }

  remove(id) {
    this.write(this.items().filter((item) => item.id !== id));
  }

  /** Refused for good: kept, marked with the code, and skipped until `unrefuse`. */
  refuse(id, code) {
    this.write(this.items().map((item) => (item.id === id ? { ...item, failed: code } : item)));
  }

  /** The person asked to send a refused item again: it goes out in its place in line. */
  unrefuse(id) {
    this.write(
      this.items().map((item) => {
        if (item.id !== id) return item;
        const { failed, ...again } = item;
        return again;
      }),
    );
  }

  /** The first item to send: not refused, and one `accepts` takes. */
  next(accepts = () => true) {
    return this.items().find((item) => !item.failed && accepts(item)) || null;
  }

  clear() {
    this.write([]);
  }
}

/**
 * Sends one outbox over one connection. Make a new sender for every new connection
 * (it sends at once, with no wait left over from the last one) and `stop()` the old one:
 * an answer it still gets changes the outbox but calls no hook.
 *
 * options:
 *   send(item) -> Promise<ack or null>: emit it; null (or a throw) when there was no answer
 *   canSend() -> boolean: the connection is up (checked right before each send)
 *   accepts(item) -> boolean: items of this sender (default: all)
 *   onSent(item, ack, recovered): stored; `recovered` after tries that asked to retry
 *   onRefused(item, error): refused for good (the item is already marked failed)
 *   onWait(error, delay): a retry is waiting (error null when there was no answer)
 *   random, setTimer(fn, ms) -> handle, clearTimer(handle): for tests
 */
export class OutboxSender {
  constructor(outbox, options) {
    this.outbox = outbox;
    this.send = options.send;
    this.canSend = options.canSend || (() => true);
    this.accepts = options.accepts || (() => true);
    this.onSent = options.onSent || (() => {});
    this.onRefused = options.onRefused || (() => {});
    this.onWait = options.onWait || (() => {});
    this.random = options.random || Math.random;
    this.setTimer = options.setTimer || ((fn, ms) => setTimeout(fn, ms));
    this.clearTimer = options.clearTimer || ((handle) => clearTimeout(handle));
    this.failures = 0; // answers in a row that asked to retry
    this.timer = null;
    this.flushing = false;
    this.stopped = false;
  }

  /** Sends now, unless a retry already waits for its time: a new item goes behind it. */
  flushSoon() {
    if (!this.timer) this.flush();
  }

  async flush() {
    if (this.stopped || this.flushing) return;
    this.flushing = true;
    try {
      for (;;) {
        // Read each time: items written meanwhile join the line, refused ones wait.
        const item = this.outbox.next(this.accepts);
        if (!item || this.stopped || !this.canSend()) return;
        const { failed, ...payload } = item;
        let ack;
        try {
          ack = await this.send(payload);
        } catch {
          ack = null; // stored or not, the same id is safe to send again
        }
        const kind = answerKind(ack);
        if (kind === "sent") {
          this.outbox.remove(item.id);
          if (this.stopped) return;
          const recovered = this.failures > 0;
          this.failures = 0;
          this.onSent(item, ack, recovered);
          continue;
        }
        if (kind === "retry") {
          // Without an answer over a connection that is gone, the next sender sends it.
          if (!this.stopped && this.canSend()) this.retryLater(ack ? errorOf(ack) : null);
          return;
        }
        const error = errorOf(ack);
        this.outbox.refuse(item.id, error.code);
        if (this.stopped) return;
        this.onRefused(item, error);
      }
    } finally {
      this.flushing = false;
    }
  }

  retryLater(error) {
    this.failures += 1;
    const delay = retryDelay(this.failures, error, this.random);
    this.onWait(error, delay);
    this.clearTimer(this.timer);
    this.timer = this.setTimer(() => {
      this.timer = null;
      this.flush();
    }, delay);
  }

  stop() {
    this.stopped = true;
    this.clearTimer(this.timer);
    this.timer = null;
  }
}
