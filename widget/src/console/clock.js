// The server's clock, as the console reads it: SLA timers count by the server's time, not
// by the browser's (a laptop's clock may be off, and tests move the server's). The offset
// is learned from the snapshot and asked again on every tick, then the timers redraw.
const TICK = 15000;

/** call: an emit with an ack (connection.js) */
export function createServerClock({ call }) {
  let offset = 0; // server time minus browser time, in ms
  let timer = null;
  const listeners = [];

  /** The server said it is `iso` now (an ack's `now`). */
  function learn(iso, sentAt = Date.now()) {
    const at = Date.parse(iso);
    if (!Number.isFinite(at)) return;
    // Half the round trip: the server answered in the middle of it.
    offset = at - (sentAt + Date.now()) / 2;
  }

  async function sync() {
    const sentAt = Date.now();
    const ack = await call("clock", {}, { quiet: true });
    if (ack && ack.now) learn(ack.now, sentAt);
  }

  async function tick() {
    await sync();
    for (const listener of listeners) listener();
  }

  function start() {
    stop();
    timer = setInterval(tick, TICK);
  }

  function stop() {
    clearInterval(timer);
    timer = null;
  }

  return {
    learn,
    start,
    stop,
    /** The server's time now, in ms since the epoch. */
    now: () => Date.now() + offset,
    /** fn(): called on every tick, after the clock was asked again. */
    onTick: (fn) => listeners.push(fn),
  };
}
