// The SLA rule of the console's timers: green, amber from 75% of the time used, red when overdue.
import assert from "node:assert/strict";
import { test } from "node:test";
import { slaState, slaText } from "../src/console/sla.js";

const ticket = {
  status: "open",
  created_at: "2026-12-08T10:00:00.000Z",
  expected_response: "2026-12-08T14:00:00+00:00", // four hours to answer
  first_response_at: null,
};
const at = (iso) => Date.parse(iso);

test("a ticket is green until three quarters of its time are used", () => {
  assert.equal(slaState(ticket, at("2026-12-08T12:59:00Z")).level, "ok");
  assert.equal(slaState(ticket, at("2026-12-08T13:00:00Z")).level, "amber");
  assert.equal(slaText(slaState(ticket, at("2026-12-08T13:00:00Z"))), "1 h left");
});

test("a ticket past its expected answer is red and says by how much", () => {
  const state = slaState(ticket, at("2026-12-08T14:25:00Z"));
  assert.equal(state.level, "red");
  assert.equal(slaText(state), "overdue 25 min");
});

test("an answered or closed ticket has no timer", () => {
  assert.equal(slaState({ ...ticket, first_response_at: "2026-12-08T11:00:00Z" }, at("2026-12-08T15:00:00Z")), null);
  assert.equal(slaState({ ...ticket, status: "closed" }, at("2026-12-08T15:00:00Z")), null);
  assert.equal(slaState({ ...ticket, expected_response: null }, at("2026-12-08T15:00:00Z")), null);
});
