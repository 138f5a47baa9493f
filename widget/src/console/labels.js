// The console's English names for ticket statuses and languages.

export const STATUS_LABELS = {
  open: "Open",
  in_progress: "In progress",
  waiting: "Waiting",
  closed: "Closed",
};

export const LANGUAGE_NAMES = {
  en: "English",
  fi: "Finnish",
  nb: "Norwegian",
  no: "Norwegian",
  hr: "Croatian",
  ru: "Russian",
  hu: "Hungarian",
};

export function statusLabel(status) {
  return STATUS_LABELS[status] || String(status || "");
}

export function languageName(code) {
  if (!code) return "Unknown";
  return LANGUAGE_NAMES[code] || String(code).toUpperCase();
}
