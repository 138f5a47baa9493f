// The composer at the bottom of the panel: Enter sends, Shift+Enter breaks the line, the
// paperclip picks files, and the agent sees "typing" while the customer writes.
const MAX_TEXT = 4000;
const TYPING_IDLE = 1500;

/**
 * view (view.js), connection (connection.js)
 * sendMessage(text), sendFile(file): what the customer sends
 */
export function bindComposer({ view, connection, sendMessage, sendFile }) {
  const { form, input, attachButton, fileInput } = view;
  let typingTimer = null;

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const text = input.value.trim();
    if (!text) return;
    input.value = "";
    sendMessage(text.slice(0, MAX_TEXT));
  });
  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey) {
      event.preventDefault();
      form.requestSubmit();
    }
  });
  input.addEventListener("input", () => {
    if (!connection.connected) return;
    if (!typingTimer) connection.emit("typing", { on: true });
    clearTimeout(typingTimer);
    typingTimer = setTimeout(() => {
      if (connection.connected) connection.emit("typing", { on: false });
      typingTimer = null;
    }, TYPING_IDLE);
  });
  attachButton.addEventListener("click", () => fileInput.click());
  fileInput.addEventListener("change", () => {
    for (const file of fileInput.files || []) sendFile(file);
    fileInput.value = "";
  });
}
