import { test } from "node:test";
import assert from "node:assert/strict";
import { Outbox, OutboxSender, answerKind, retryDelay } from "../src/shared/outbox.js";
import { FakeStorage } from "./fake_storage.js";

const KEY = "chatbot.test_outbox";
const ok = (seq) => ({ ok: true, seq });
const error = (code, extra = {}) => ({ ok: false, error: { code, message: code, ...extra } });

function outboxWith(...items) {
  const outbox = new Outbox(new FakeStorage(), KEY);
  for (const item of items) outbox.add(item);
  return outbox;
}

/** A sender whose server answers from `answers` in turn; records what went out and the
 * timers it set (run them by hand). */
function senderFor(outbox, answers, options = {}) {
  const sent = [];
  const timers = [];
  const events = [];
  const sender = new OutboxSender(outbox, {
    send: async (payload) => {
      sent.push(payload.id);
      const answer = answers.shift();
      if (answer instanceof Error) throw answer;
      return answer === undefined ? null : answer;
    },
    onSent: (item, ack, recovered) => events.push(["sent", item.id, recovered]),
    onRefused: (item, err) => events.push(["refused", item.id, err.code]),
    onWait: (err, delay) => events.push(["wait", err && err.code, delay]),
    random: () => 0.5,
    setTimer: (fn, ms) => timers.push({ fn, ms }) && timers.length,
    clearTimer: () => {},
    ...options,
  });
  return { sender, sent, timers, events };
}

async function fireTimer(timers) {
  const timer = timers.shift();
  assert.ok(timer, "a retry was scheduled");
  await timer.fn();
}

test("an answer is sent, retried or refused by its code", () => {
  assert.equal(answerKind(ok(1)), "sent");
  assert.equal(answerKind(null), "retry");
  for (const code of ["internal_error", "temporarily_unavailable", "rate_limited"]) {
    assert.equal(answerKind(error(code)), "retry", code);
  }
  assert.equal(answerKind({ ok: false }), "retry"); // no error: counted as internal_error
  for (const code of ["too_long", "not_found", "invalid_payload", "forbidden"]) {
    assert.equal(answerKind(error(code)), "refused", code);
  }
});

test("retry waits double from one second up to thirty, with jitter around them", () => {
  const middle = () => 0.5;
  assert.deepEqual(
    [1, 2, 3, 4, 5, 6, 7, 12].map((n) => retryDelay(n, null, middle)),
    [1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000],
  );
  assert.equal(retryDelay(1, error("internal_error").error, () => 0), 800);
  assert.equal(Math.round(retryDelay(1, error("internal_error").error, () => 1)), 1200);
  assert.equal(Math.round(retryDelay(6, null, () => 1)), 36000);
});

test("rate_limited waits what the server says, two seconds when it does not say", () => {
  assert.equal(retryDelay(1, { code: "rate_limited", retry_after: "7.5" }), 7500);
  assert.equal(retryDelay(9, { code: "rate_limited", retry_after: "7.5" }), 7500);
  assert.equal(retryDelay(1, { code: "rate_limited" }), 2000);
  assert.equal(retryDelay(1, { code: "rate_limited", retry_after: "0.1" }), 1000);
});

test("the outbox keeps the order of writing and each id once", () => {
  const outbox = outboxWith({ id: "a", text: "1" }, { id: "b", text: "2" });
  assert.equal(outbox.add({ id: "a", text: "again" }), false);
  assert.equal(outbox.add({ id: "c", text: "3" }), true);
  assert.deepEqual(outbox.items().map((i) => [i.id, i.text]), [["a", "1"], ["b", "2"], ["c", "3"]]);
});

test("a refused item is skipped until retried, and keeps its place", () => {
  const outbox = outboxWith({ id: "a" }, { id: "b" });
  outbox.refuse("a", "too_long");
  assert.deepEqual(outbox.find("a"), { id: "a", failed: "too_long" });
  assert.equal(outbox.next().id, "b");
  outbox.unrefuse("a");
  assert.deepEqual(outbox.find("a"), { id: "a" });
  assert.equal(outbox.next().id, "a");
});

test("an empty outbox leaves no key, and an unreadable one reads as empty", () => {
  const storage = new FakeStorage();
  const outbox = new Outbox(storage, KEY);
  outbox.add({ id: "a" });
  assert.notEqual(storage.getItem(KEY), null);
  outbox.remove("a");
  assert.equal(storage.getItem(KEY), null);
  storage.setItem(KEY, "{not json");
  assert.deepEqual(outbox.items(), []);
  storage.setItem(KEY, JSON.stringify([{ id: "ok" }, null, { text: "no id" }, 7]));
  assert.deepEqual(outbox.items(), [{ id: "ok" }]);
});

test("the sender sends every item in order and empties the outbox", async () => {
  const outbox = outboxWith({ id: "a" }, { id: "b" }, { id: "c" });
  const { sender, sent, events } = senderFor(outbox, [ok(1), ok(2), ok(3)]);
  await sender.flush();
  assert.deepEqual(sent, ["a", "b", "c"]);
  assert.deepEqual(outbox.items(), []);
  assert.deepEqual(events, [["sent", "a", false], ["sent", "b", false], ["sent", "c", false]]);
});

test("the payload never carries the outbox's own marks", async () => {
  const outbox = outboxWith({ id: "a", text: "hi", failed: "too_long" });
  outbox.unrefuse("a");
  const payloads = [];
  const sender = new OutboxSender(outbox, { send: async (p) => payloads.push(p) && ok(1) });
  await sender.flush();
  assert.deepEqual(payloads, [{ id: "a", text: "hi" }]);
});

test("a retriable error keeps the item first: the same id goes again, after the wait", async () => {
  const outbox = outboxWith({ id: "a" }, { id: "b" });
  const { sender, sent, timers, events } = senderFor(outbox, [error("temporarily_unavailable"), null, ok(1), ok(2)]);
  await sender.flush();
  assert.deepEqual(sent, ["a"]);
  assert.deepEqual(timers.map((t) => t.ms), [1000]);
  await fireTimer(timers); // no answer this time: the wait doubles
  assert.deepEqual(sent, ["a", "a"]);
  assert.deepEqual(timers.map((t) => t.ms), [2000]);
  await fireTimer(timers);
  assert.deepEqual(sent, ["a", "a", "a", "b"]);
  assert.deepEqual(events, [
    ["wait", "temporarily_unavailable", 1000],
    ["wait", null, 2000],
    ["sent", "a", true],
    ["sent", "b", false],
  ]);
  assert.equal(sender.failures, 0);
});

test("a send that throws counts as no answer", async () => {
  const outbox = outboxWith({ id: "a" });
  const { sender, timers } = senderFor(outbox, [new Error("timeout")]);
  await sender.flush();
  assert.equal(timers.length, 1);
  assert.equal(outbox.next().id, "a");
});

test("a new item waits behind a retry instead of going around it", async () => {
  const outbox = outboxWith({ id: "a" });
  const { sender, sent, timers } = senderFor(outbox, [error("rate_limited", { retry_after: "3" }), ok(1), ok(2)]);
  await sender.flush();
  assert.deepEqual(timers.map((t) => t.ms), [3000]);
  outbox.add({ id: "b" });
  await sender.flushSoon();
  assert.deepEqual(sent, ["a"]);
  await fireTimer(timers);
  assert.deepEqual(sent, ["a", "a", "b"]);
});

test("a refusal marks the item failed and the next one still goes out", async () => {
  const outbox = outboxWith({ id: "a" }, { id: "b" });
  const { sender, sent, events, timers } = senderFor(outbox, [error("too_long"), ok(2)]);
  await sender.flush();
  assert.deepEqual(sent, ["a", "b"]);
  assert.deepEqual(outbox.items(), [{ id: "a", failed: "too_long" }]);
  assert.deepEqual(events, [["refused", "a", "too_long"], ["sent", "b", false]]);
  assert.equal(timers.length, 0);
});

test("one flush at a time: an item is never in flight twice", async () => {
  const outbox = outboxWith({ id: "a" });
  let answer;
  const sent = [];
  const sender = new OutboxSender(outbox, {
    send: (payload) => {
      sent.push(payload.id);
      return new Promise((resolve) => (answer = resolve));
    },
  });
  const first = sender.flush();
  await sender.flush(); // returns at once: the first is still waiting for its answer
  assert.deepEqual(sent, ["a"]);
  answer(ok(1));
  await first;
  assert.deepEqual(outbox.items(), []);
});

test("nothing is sent while the connection is down", async () => {
  const outbox = outboxWith({ id: "a" });
  const { sender, sent, timers } = senderFor(outbox, [], { canSend: () => false });
  await sender.flush();
  assert.deepEqual(sent, []);
  assert.equal(timers.length, 0);
});

test("a stopped sender's late answer still empties the outbox but calls no hook", async () => {
  const outbox = outboxWith({ id: "a" }, { id: "b" });
  let answer;
  const events = [];
  const sent = [];
  const sender = new OutboxSender(outbox, {
    send: (payload) => {
      sent.push(payload.id);
      return new Promise((resolve) => (answer = resolve));
    },
    onSent: (item) => events.push(item.id),
  });
  const flushing = sender.flush();
  sender.stop();
  answer(ok(1));
  await flushing;
  assert.deepEqual(sent, ["a"]); // b waits for the next connection's sender
  assert.deepEqual(outbox.items(), [{ id: "b" }]);
  assert.deepEqual(events, []);
});

test("only the items the sender accepts go out", async () => {
  const outbox = outboxWith({ id: "a", agent: "other" }, { id: "b", agent: "me" });
  const { sender, sent } = senderFor(outbox, [ok(1)], { accepts: (item) => item.agent === "me" });
  await sender.flush();
  assert.deepEqual(sent, ["b"]);
  assert.deepEqual(outbox.items(), [{ id: "a", agent: "other" }]);
});
