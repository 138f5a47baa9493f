import { test } from "node:test";
import assert from "node:assert/strict";
import { parseInline, parseMarkdown } from "../src/widget/markdown.js";

test("the help centre's Markdown becomes headings, lists, tables and paragraphs", () => {
  const blocks = parseMarkdown(
    "Intro with **bold** and `code`.\n\n## Steps\n1. Log in\n2. Go to **Mail**\n   and save\n\n| Role | Can |\n|---|---|\n| **Owner** | all |\n\n> Note\n\n- a\n- b",
  );
  assert.deepEqual(
    blocks.map((b) => b.type),
    ["paragraph", "heading", "list", "table", "quote", "list"],
  );
  assert.deepEqual(blocks[0].inline, [
    { t: "text", v: "Intro with " },
    { t: "strong", c: [{ t: "text", v: "bold" }] },
    { t: "text", v: " and " },
    { t: "code", v: "code" },
    { t: "text", v: "." },
  ]);
  assert.equal(blocks[1].level, 2);
  assert.equal(blocks[2].ordered, true);
  assert.equal(blocks[2].items.length, 2);
  assert.deepEqual(blocks[2].items[1].inline.at(-1), { t: "text", v: " and save" });
  assert.equal(blocks[3].rows.length, 1);
  assert.equal(blocks[5].ordered, false);
});

test("HTML stays text and links keep their address for the renderer to judge", () => {
  assert.deepEqual(parseInline("<script>alert(1)</script>"), [{ t: "text", v: "<script>alert(1)</script>" }]);
  assert.deepEqual(parseInline("[click](javascript:alert(1))").length, 1);
  const [span] = parseInline("[the panel](https://panel.example/x)");
  assert.equal(span.t, "link");
  assert.equal(span.href, "https://panel.example/x");
  // A file_name_with_underscores is no emphasis.
  assert.deepEqual(parseInline("my_file_name"), [{ t: "text", v: "my_file_name" }]);
});

test("deeply nested markup ends as text", () => {
  const spans = parseInline("**".repeat(40) + "x" + "**".repeat(40));
  let depth = 0;
  for (let node = spans[0]; node && node.c; node = node.c[0]) depth += 1;
  assert.ok(depth <= 4);
});

test("a list goes on after a table with its numbers, and keeps its inner list", () => {
  const blocks = parseMarkdown("1. First:\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n2. Second\n3. Third:\n   - `550`\n   - `530`\n4. Fourth");
  assert.deepEqual(blocks.map((b) => b.type), ["list", "table", "list"]);
  const [, , rest] = blocks;
  assert.equal(rest.start, 2);
  assert.equal(rest.items.length, 3);
  assert.equal(rest.items[1].children[0].type, "list");
  assert.equal(rest.items[1].children[0].items.length, 2);
  assert.equal(rest.items[1].children[0].ordered, false);
});
