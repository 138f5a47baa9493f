// The status line above the log: offline, a problem on our side, writing too fast, an
// expired login, or a short notice about a file. Its resting text is "offline".
import { texts } from "./i18n.js";

const NOTICE_TIME = 5000;

/** line: the element; chat: for the language; isConnected(): the socket is up */
export function createNotice(line, chat, isConnected) {
  const t = () => texts(chat.lang);

  /** Shows a text of i18n.js ("offline", "unavailable", "slow", "identity"). */
  function show(key) {
    line.textContent = t()[key];
    line.hidden = false;
  }

  /** Hidden, and back to saying "offline" when it shows next. */
  function hide() {
    line.hidden = true;
    line.textContent = t().offline;
  }

  /** Back to the resting text without hiding or showing it. */
  function rest() {
    line.textContent = t().offline;
  }

  /** A text for a few seconds, then back to the connection's state. */
  function flash(text) {
    line.textContent = text;
    line.hidden = false;
    setTimeout(() => {
      line.hidden = isConnected();
      line.textContent = t().offline;
    }, NOTICE_TIME);
  }

  return { show, hide, rest, flash, reveal: () => (line.hidden = false) };
}
