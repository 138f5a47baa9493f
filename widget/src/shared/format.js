// Formatting for people: times, durations, sizes, counts, names. No DOM: unit-tested in node.

const ABBREVIATIONS = { os: "OS", dns: "DNS", ssl: "SSL", php: "PHP", ip: "IP", url: "URL", ftp: "FTP", smtp: "SMTP", vip: "VIP" };

export function humanize(name) {
  const text = String(name || "")
    .replace(/_/g, " ")
    .trim()
    .split(/\s+/)
    .map((word) => ABBREVIATIONS[word.toLowerCase()] || word)
    .join(" ");
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** "<1 min", "4 min", "1 h 5 min", "2 d 3 h" since an ISO time. */
export function waitingText(iso, now = Date.now()) {
  const at = Date.parse(iso);
  if (!Number.isFinite(at)) return "";
  const minutes = Math.max(0, Math.floor((now - at) / 60000));
  if (minutes < 1) return "<1 min";
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `${hours} h ${minutes % 60} min`;
  return `${Math.floor(hours / 24)} d ${hours % 24} h`;
}

/** "14:05", or "21 Nov 14:05" when not today. */
export function clockTime(iso) {
  if (!iso) return "";
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return "";
  const time = date.toLocaleTimeString("en-GB", { hour: "2-digit", minute: "2-digit" });
  if (date.toDateString() === new Date().toDateString()) return time;
  return `${date.toLocaleDateString("en-GB", { day: "numeric", month: "short" })} ${time}`;
}

export function dateTime(iso) {
  if (!iso) return "";
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return String(iso);
  return date.toLocaleString("en-GB", { dateStyle: "medium", timeStyle: "short" });
}

export function stars(score) {
  const n = Math.max(0, Math.min(5, Math.round(Number(score) || 0)));
  return "★".repeat(n) + "☆".repeat(5 - n);
}

export function firstName(name) {
  if (typeof name !== "string") return "";
  return name.trim().split(/\s+/)[0] || "";
}

export function initials(name) {
  const parts = String(name || "?").trim().split(/\s+/);
  return ((parts[0] || "?").charAt(0) + (parts.length > 1 ? parts[parts.length - 1].charAt(0) : "")).toUpperCase();
}

export function percent(share) {
  if (share === null || share === undefined || !Number.isFinite(Number(share))) return "—";
  return `${Math.round(Number(share) * 1000) / 10}%`;
}

export function number(value) {
  if (value === null || value === undefined || !Number.isFinite(Number(value))) return "—";
  return String(value);
}

/** "512 B", "1.5 KB", "12 KB", "4.2 MB": a file's size for people (1 KB = 1024 bytes). */
export function fileSize(bytes) {
  const size = Math.max(0, Math.round(Number(bytes) || 0));
  if (size < 1024) return `${size} B`;
  const units = ["KB", "MB", "GB"];
  let value = size / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value < 10 ? Math.round(value * 10) / 10 : Math.round(value)} ${units[unit]}`;
}

/** "{n} of 5 stars" with {n: 4}: the placeholders named in `values` filled in, others kept. */
export function fill(template, values) {
  return template.replace(/\{(\w+)\}/g, (whole, key) => (key in values ? String(values[key]) : whole));
}

/** A time of day in the given language, not the browser's, in the reader's own time zone:
 * "14.05" in Finnish, "14:05" in Hungarian; "" when either is unusable. */
export function timeOfDay(iso, lang) {
  const when = new Date(iso);
  if (Number.isNaN(when.getTime())) return "";
  try {
    return new Intl.DateTimeFormat(lang, { hour: "2-digit", minute: "2-digit", hourCycle: "h23" }).format(when);
  } catch {
    return "";
  }
}
