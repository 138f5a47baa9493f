// Values kept as JSON in the browser's web storage (localStorage or sessionStorage).
// Storage can be full, disabled or hold something another version wrote: reading falls
// back, writing gives up quietly, and the page keeps working without it.

/** The value stored under `key`, or `fallback` when there is none or it is unreadable. */
export function readJson(storage, key, fallback) {
  try {
    const value = JSON.parse(storage.getItem(key) || "null");
    return value === null ? fallback : value;
  } catch {
    return fallback;
  }
}

export function writeJson(storage, key, value) {
  try {
    storage.setItem(key, JSON.stringify(value));
  } catch {
    // full or disabled: kept for this page only
  }
}

export function forget(storage, ...keys) {
  for (const key of keys) {
    try {
      storage.removeItem(key);
    } catch {
      // disabled: nothing was kept
    }
  }
}

/** Every key in the storage, read before any of them is removed. */
export function storedKeys(storage) {
  const keys = [];
  for (let i = 0; i < storage.length; i += 1) keys.push(storage.key(i));
  return keys;
}
