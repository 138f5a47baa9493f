// What the widget knows of the conversation on screen. One object, made once and passed
// to the modules that read or change it.

export function createChat(lang) {
  return {
    lang, // the language of the widget's texts: the server's or the page's
    conversation: null, // the server's conversation id
    welcome: null, // the server's welcome of this session: {title, text, hours}
    lastSeq: 0, // the newest stored message on screen
    seen: new Set(), // ids of messages on screen
    bySeq: new Map(), // seq -> stored message
    rated: new Set(), // tickets rated on this screen
  };
}

/** A stored message (seq) is on screen: later history starts after it. */
export function noteStored(chat, seq, message) {
  chat.bySeq.set(seq, message);
  chat.lastSeq = Math.max(chat.lastSeq, seq);
}

/** Another conversation is shown: nothing of this one is remembered. */
export function forgetMessages(chat) {
  chat.seen.clear();
  chat.bySeq.clear();
  chat.lastSeq = 0;
}
