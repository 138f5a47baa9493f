// What the console keeps in sessionStorage: this tab's login and where the agent was,
// so that a reload comes back to the same place. Logging out forgets all of it.
import { forget, readJson, writeJson } from "../shared/storage.js";

export const KEYS = {
  token: "chatbot.agent_token",
  outbox: "chatbot.agent_outbox",
  unread: "chatbot.agent_unread",
  presence: "chatbot.agent_presence",
  open: "chatbot.agent_open",
};

export const load = (key, fallback) => readJson(sessionStorage, key, fallback);
export const save = (key, value) => writeJson(sessionStorage, key, value);
export const drop = (key) => forget(sessionStorage, key);
export const forgetAll = () => forget(sessionStorage, ...Object.values(KEYS));
