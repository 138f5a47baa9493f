// DOM helpers for the widget and the console. Text from the network is only ever set
// through text nodes and attribute values, never parsed as HTML.

/** el("div", {class: "x", "data-ticket": n}, "text", childNode, [more]...): null,
 * undefined and false attributes and children are left out. */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = String(value);
    else node.setAttribute(key, value === true ? "" : String(value));
  }
  append(node, children);
  return node;
}

function append(node, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(node, child);
    else if (child instanceof Node) node.append(child);
    else node.append(document.createTextNode(String(child)));
  }
}

export const byId = (id) => document.getElementById(id);

/** The link's address when it is http(s), else null. A relative address counts only
 * when a base is given (the widget lives on other sites' pages: it takes none). */
export function safeUrl(url, base) {
  if (typeof url !== "string" || !url) return null;
  try {
    const parsed = new URL(url, base);
    return parsed.protocol === "https:" || parsed.protocol === "http:" ? parsed.href : null;
  } catch {
    return null;
  }
}

/** A link opening in a new tab, or null when the address is not a safe one. */
export function link(url, text, base) {
  const href = safeUrl(url, base);
  if (!href) return null;
  return el("a", { href, target: "_blank", rel: "noopener noreferrer" }, text);
}

/** A value to put inside a quoted attribute selector. */
export function cssEscape(value) {
  const css = globalThis.CSS;
  return css && css.escape ? css.escape(value) : String(value).replace(/["\\]/g, "\\$&");
}

/** options: [{value, label, disabled?}] */
export function setOptions(select, options, value) {
  select.replaceChildren(
    ...options.map((o) => el("option", { value: o.value, disabled: o.disabled || false }, o.label)),
  );
  if (value !== undefined) select.value = value;
}
