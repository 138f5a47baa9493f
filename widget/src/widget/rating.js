// Stars after an agent closed the chat: 1-5 and an optional comment, sent as `rate`.
import { el } from "../shared/dom.js";
import { fill } from "../shared/format.js";
import { texts } from "./i18n.js";

/**
 * ticket: the number rated; chat: for the language and the tickets rated on this screen
 * rate(payload) -> Promise<ack>: sends it (throws when there is no answer or no connection)
 */
export function ratingForm(ticket, chat, rate) {
  const t = texts(chat.lang);
  const box = el("div", { class: "rating", role: "group", "aria-label": t.rate });
  box.append(el("strong", {}, t.rate));
  const stars = el("div", { class: "stars" });
  let score = 0;
  const buttons = [];
  for (let n = 1; n <= 5; n += 1) {
    const star = el("button", { type: "button", "aria-label": fill(t.star, { n }), "aria-pressed": "false", "data-score": String(n) }, "★");
    star.addEventListener("click", () => {
      score = n;
      buttons.forEach((b, i) => {
        b.classList.toggle("on", i < n);
        b.setAttribute("aria-pressed", String(i < n));
      });
      submit.disabled = false;
    });
    buttons.push(star);
    stars.append(star);
  }
  const comment = el("textarea", { rows: "2", maxlength: "2000", placeholder: t.comment, "aria-label": t.comment });
  const submit = el("button", { type: "button", class: "send-rating", disabled: "" }, t.send_rating);
  submit.addEventListener("click", async () => {
    if (!score) return;
    submit.disabled = true;
    let ack;
    try {
      ack = await rate({ ticket, score, comment: comment.value.trim() });
    } catch {
      submit.disabled = false;
      return;
    }
    if (ack && ack.ok) {
      chat.rated.add(ticket);
      box.replaceChildren(el("p", {}, t.rated));
    } else {
      submit.disabled = false;
    }
  });
  box.append(stars, comment, submit);
  return box;
}
