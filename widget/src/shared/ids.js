// Client ids for messages: random, made in the browser, kept until the server stored the
// message, so that a message sent twice is stored once.

/** "w3f9a…": the prefix, then `bytes` random bytes in hex. */
export function newId(prefix, bytes) {
  const random = new Uint8Array(bytes);
  crypto.getRandomValues(random);
  return prefix + Array.from(random, (b) => b.toString(16).padStart(2, "0")).join("");
}
