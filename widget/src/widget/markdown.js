// Help-centre Markdown to DOM nodes, for reading an article inside the widget.
// The article's text only ever becomes text nodes and attribute values of elements made
// here: HTML in it (<script>, <img onerror>) stays visible text, and a link is a link only
// when its address is http(s). The subset is what the help centre writes: headings,
// paragraphs, lists, tables, quotes, code, **bold**, *italic*, `code` and [links](url).
import { el, safeUrl } from "../shared/dom.js";

const MAX_DEPTH = 4; // nesting of inline markup (**[*x*](url)**): deeper stays text
const ITEM = /^\s*([-*+]|\d{1,3}[.)])\s+/;
const indent = (line) => line.length - line.trimStart().length;

/** Markdown text -> blocks: {type: "heading"|"paragraph"|"quote", level?, inline},
 * {type: "list", ordered, start, items: [{inline, children: [blocks]}]},
 * {type: "table", head: [inline], rows: [[inline]]},
 * {type: "code", text}. `inline` is a list of spans (see parseInline). */
export function parseMarkdown(text) {
  const lines = String(text || "").replace(/\r\n?/g, "\n").split("\n");
  const blocks = [];
  let i = 0;
  while (i < lines.length) {
    const line = lines[i];
    if (!line.trim()) {
      i += 1;
    } else if (/^\s*```/.test(line)) {
      const body = [];
      i += 1;
      while (i < lines.length && !/^\s*```/.test(lines[i])) body.push(lines[i++]);
      i += 1;
      blocks.push({ type: "code", text: body.join("\n") });
    } else if (/^#{1,6}\s/.test(line)) {
      const [, hashes, rest] = line.match(/^(#{1,6})\s+(.*?)\s*#*\s*$/) || [null, "#", line];
      blocks.push({ type: "heading", level: hashes.length, inline: parseInline(rest) });
      i += 1;
    } else if (isTableRow(line) && i + 1 < lines.length && /^\s*\|?\s*:?-{2,}/.test(lines[i + 1])) {
      const head = cells(line);
      const rows = [];
      i += 2;
      while (i < lines.length && isTableRow(lines[i])) rows.push(cells(lines[i++]));
      blocks.push({ type: "table", head, rows });
    } else if (ITEM.test(line)) {
      const base = indent(line);
      const ordered = /^\s*\d/.test(line);
      const items = [];
      while (i < lines.length && ITEM.test(lines[i]) && indent(lines[i]) <= base + 1) {
        let item = lines[i++].replace(ITEM, "");
        // Continuation lines (indented, not a new item) belong to the item.
        while (i < lines.length && /^\s{2,}\S/.test(lines[i]) && !ITEM.test(lines[i])) item += " " + lines[i++].trim();
        // Items indented further are a list inside this item (one level deep is drawn
        // nested; deeper ones flatten into it).
        const inner = [];
        while (i < lines.length && ITEM.test(lines[i]) && indent(lines[i]) > base + 1) inner.push(lines[i++].trim());
        items.push({ inline: parseInline(item), children: inner.length ? parseMarkdown(inner.join("\n")) : [] });
      }
      const start = ordered ? parseInt(line.trim(), 10) : 1;
      blocks.push({ type: "list", ordered, start, items });
    } else if (/^\s*>/.test(line)) {
      const quote = [];
      while (i < lines.length && /^\s*>/.test(lines[i])) quote.push(lines[i++].replace(/^\s*>\s?/, ""));
      blocks.push({ type: "quote", inline: parseInline(quote.join(" ")) });
    } else {
      const para = [];
      while (i < lines.length && lines[i].trim() && !startsBlock(lines, i)) para.push(lines[i++].trim());
      if (!para.length) para.push(lines[i++].trim()); // a line no other rule took
      blocks.push({ type: "paragraph", inline: parseInline(para.join(" ")) });
    }
  }
  return blocks;
}

function startsBlock(lines, i) {
  const line = lines[i];
  return /^(#{1,6}\s|\s*```|\s*>)/.test(line) || ITEM.test(line) || (isTableRow(line) && i + 1 < lines.length && /^\s*\|?\s*:?-{2,}/.test(lines[i + 1]));
}

function isTableRow(line) {
  return /^\s*\|.*\|\s*$/.test(line);
}

function cells(line) {
  return line.trim().replace(/^\|/, "").replace(/\|$/, "").split("|").map((cell) => parseInline(cell.trim()));
}

/** Inline Markdown -> spans: {t: "text", v}, {t: "code", v}, {t: "strong"|"em", c: [spans]},
 * {t: "link", href, c: [spans]}. */
export function parseInline(text, depth = 0) {
  const spans = [];
  let rest = String(text);
  let plain = "";
  const flush = () => {
    if (plain) spans.push({ t: "text", v: plain });
    plain = "";
  };
  while (rest) {
    let m;
    if (depth < MAX_DEPTH && (m = rest.match(/^`([^`]+)`/))) {
      flush();
      spans.push({ t: "code", v: m[1] });
    } else if (depth < MAX_DEPTH && (m = rest.match(/^\*\*(?=\S)([\s\S]*?\S)\*\*/))) {
      flush();
      spans.push({ t: "strong", c: parseInline(m[1], depth + 1) });
    } else if (depth < MAX_DEPTH && !(rest[0] === "_" && /\w$/.test(plain)) && (m = rest.match(/^([*_])(?=\S)([^*_]*?\S)\1/))) {
      flush();
      spans.push({ t: "em", c: parseInline(m[2], depth + 1) });
    } else if (depth < MAX_DEPTH && (m = rest.match(/^\[([^\]]+)\]\(\s*<?([^()\s<>]+)>?(?:\s+"[^"]*")?\s*\)/))) {
      flush();
      spans.push({ t: "link", href: m[2], c: parseInline(m[1], depth + 1) });
    } else {
      m = [rest[0]];
      plain += rest[0];
    }
    rest = rest.slice(m[0].length);
  }
  flush();
  return spans;
}

function inlineNodes(spans) {
  return spans.map((span) => {
    if (span.t === "text") return document.createTextNode(span.v);
    if (span.t === "code") return el("code", {}, span.v);
    if (span.t === "strong") return el("strong", {}, inlineNodes(span.c));
    if (span.t === "em") return el("em", {}, inlineNodes(span.c));
    const href = safeUrl(span.href);
    // javascript:, data: and relative addresses are no links: their words stay.
    if (!href) return el("span", {}, inlineNodes(span.c));
    return el("a", { href, target: "_blank", rel: "noopener noreferrer" }, inlineNodes(span.c));
  });
}

/** The article's Markdown (or its parsed blocks) as a fragment of elements and text
 * nodes; headings start at `topLevel` (the article's own title is the level above). */
export function renderMarkdown(text, topLevel = 4) {
  const fragment = document.createDocumentFragment();
  for (const block of Array.isArray(text) ? text : parseMarkdown(text)) {
    if (block.type === "heading") {
      fragment.append(el(`h${Math.min(6, topLevel + block.level - 1)}`, {}, inlineNodes(block.inline)));
    } else if (block.type === "paragraph") {
      fragment.append(el("p", {}, inlineNodes(block.inline)));
    } else if (block.type === "quote") {
      fragment.append(el("blockquote", {}, inlineNodes(block.inline)));
    } else if (block.type === "code") {
      fragment.append(el("pre", {}, el("code", {}, block.text)));
    } else if (block.type === "list") {
      const items = block.items.map((item) => el("li", {}, inlineNodes(item.inline), item.children.length ? renderMarkdown(item.children, topLevel) : null));
      // An ordered list interrupted by a table or a paragraph goes on with its numbers.
      const start = block.ordered && block.start > 1 ? String(block.start) : null;
      fragment.append(el(block.ordered ? "ol" : "ul", { start }, items));
    } else if (block.type === "table") {
      const head = el("tr", {}, block.head.map((cell) => el("th", { scope: "col" }, inlineNodes(cell))));
      const rows = block.rows.map((row) => el("tr", {}, row.map((cell) => el("td", {}, inlineNodes(cell)))));
      fragment.append(el("div", { class: "table" }, el("table", {}, el("thead", {}, head), el("tbody", {}, rows))));
    }
  }
  return fragment;
}
