import { test } from "node:test";
import assert from "node:assert/strict";
import { webcrypto } from "node:crypto";
import {
  fileSize,
  fill,
  firstName,
  humanize,
  initials,
  number,
  percent,
  stars,
  timeOfDay,
  waitingText,
} from "../src/shared/format.js";
import { cssEscape, safeUrl } from "../src/shared/dom.js";
import { newId } from "../src/shared/ids.js";

// Browsers have crypto.getRandomValues; node before 19 only under node:crypto.
if (!globalThis.crypto) globalThis.crypto = webcrypto;

test("file sizes read in B, KB and MB of 1024", () => {
  assert.equal(fileSize(512), "512 B");
  assert.equal(fileSize(1536), "1.5 KB");
  assert.equal(fileSize(12 * 1024), "12 KB");
  assert.equal(fileSize(4.2 * 1024 * 1024), "4.2 MB");
  assert.equal(fileSize(-5), "0 B");
  assert.equal(fileSize("junk"), "0 B");
});

test("waiting time since an ISO time", () => {
  const now = Date.parse("2026-01-02T10:00:00Z");
  assert.equal(waitingText("2026-01-02T09:59:30Z", now), "<1 min");
  assert.equal(waitingText("2026-01-02T09:56:00Z", now), "4 min");
  assert.equal(waitingText("2026-01-02T08:55:00Z", now), "1 h 5 min");
  assert.equal(waitingText("2025-12-31T07:00:00Z", now), "2 d 3 h");
  assert.equal(waitingText("not a time", now), "");
});

test("placeholders are filled, unknown ones kept", () => {
  assert.equal(fill("{n} of 5 stars", { n: 4 }), "4 of 5 stars");
  assert.equal(fill("Hi{customer}, {agent} here {x}", { customer: "", agent: "Ana" }), "Hi, Ana here {x}");
});

test("a time of day in the widget's language, not the browser's", () => {
  // A time in the middle of a day in every zone the test machine may have.
  const iso = "2026-03-10T12:05:00Z";
  assert.match(timeOfDay(iso, "fi"), /^\d\d\.05$/);
  assert.match(timeOfDay(iso, "hu"), /^\d\d:05$/);
  assert.equal(timeOfDay("never", "en"), "");
  assert.equal(timeOfDay(iso, "not a language!"), "");
});

test("counts, shares, stars, names", () => {
  assert.equal(percent(0.1234), "12.3%");
  assert.equal(percent(null), "—");
  assert.equal(number(7), "7");
  assert.equal(number(undefined), "—");
  assert.equal(stars(4), "★★★★☆");
  assert.equal(stars(9), "★★★★★");
  assert.equal(initials("Ana Maria Horvat"), "AH");
  assert.equal(initials(""), "?");
  assert.equal(firstName("  Ana Horvat "), "Ana");
  assert.equal(humanize("dns_ssl_status"), "DNS SSL status");
});

test("only http(s) addresses become links; relative ones only with a base", () => {
  assert.equal(safeUrl("https://help.example.com/a?b=1"), "https://help.example.com/a?b=1");
  assert.equal(safeUrl("http://example.com"), "http://example.com/");
  for (const bad of ["javascript:alert(1)", "data:text/html,x", "JAVASCRIPT:alert(1)", "vbscript:x", "", null, 42]) {
    assert.equal(safeUrl(bad), null, String(bad));
  }
  assert.equal(safeUrl("/kb/dns"), null);
  assert.equal(safeUrl("/kb/dns", "https://chat.example.com/console"), "https://chat.example.com/kb/dns");
  assert.equal(safeUrl("javascript:alert(1)", "https://chat.example.com/"), null);
});

test("a value is escaped for a quoted attribute selector", () => {
  assert.equal(cssEscape('a"b\\c'), 'a\\"b\\\\c');
});

test("client ids: the prefix and random hex of the given length", () => {
  const a = newId("w", 9);
  assert.match(a, /^w[0-9a-f]{18}$/);
  assert.notEqual(a, newId("w", 9));
  assert.match(newId("c", 8), /^c[0-9a-f]{16}$/);
});
