// The agent's session in this tab: the login form, logging out, and who is logged in.
// The token lives in sessionStorage: another tab logs in on its own.
import { byId } from "../shared/dom.js";
import { initials } from "../shared/format.js";
import { KEYS, drop, forgetAll } from "./storage.js";

export const PAGE_TITLE = "Console";

/**
 * hooks:
 *   onLogin(): the token is set; connect and show the console
 *   beforeLogout(): still connected, about to log out
 *   onEnd(): the session is over (logged out or refused): forget everything on screen
 *   onMe(agent): who is logged in became known or changed
 */
export function createSession(hooks) {
  const ui = {};
  for (const id of ["login", "login-form", "login-email", "login-password", "login-submit", "login-error", "app", "me", "me-role", "me-avatar", "logout"]) {
    ui[id] = byId(id);
  }
  let token = sessionStorage.getItem(KEYS.token);
  let me = null;

  function showLogin(message) {
    ui.app.hidden = true;
    ui.login.hidden = false;
    document.title = PAGE_TITLE;
    ui["login-error"].hidden = !message;
    ui["login-error"].textContent = message || "";
    ui["login-password"].value = "";
    (ui["login-email"].value ? ui["login-password"] : ui["login-email"]).focus();
  }

  function showApp() {
    ui.login.hidden = true;
    ui.app.hidden = false;
    ui["login-error"].hidden = true;
  }

  function loginError(message) {
    ui["login-error"].textContent = message;
    ui["login-error"].hidden = false;
  }

  function setMe(agent) {
    me = agent;
    ui.me.textContent = agent.name || agent.email || "Agent";
    ui["me-role"].textContent = agent.role === "admin" ? "Administrator" : "Agent";
    ui["me-avatar"].textContent = initials(agent.name || agent.email);
    hooks.onMe(agent);
  }

  function forgetMe() {
    token = null;
    me = null;
    hooks.onEnd();
  }

  /** The server refused our session (expired, revoked, logged out elsewhere). */
  function end() {
    drop(KEYS.token);
    forgetMe();
    showLogin("Your session has ended. Please log in again.");
  }

  async function logIn(email, password) {
    const response = await fetch("/api/auth/login", {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify({ email, password }),
      credentials: "same-origin",
    });
    let data = null;
    try {
      data = await response.json();
    } catch {
      data = null;
    }
    if (!response.ok || !data || typeof data.token !== "string") {
      const error = (data && data.error) || {};
      if (response.status === 429 || error.code === "rate_limited") {
        const wait = Math.ceil(Number(response.headers.get("Retry-After")) || Number(error.retry_after) || 60);
        loginError(`Login blocked: too many attempts, wait ${wait} s.`);
      } else {
        loginError(error.message || `Login failed (HTTP ${response.status}).`);
      }
      return;
    }
    token = data.token;
    sessionStorage.setItem(KEYS.token, data.token);
    if (data.agent) setMe(data.agent);
    ui["login-password"].value = "";
    hooks.onLogin();
  }

  ui["login-form"].addEventListener("submit", async (event) => {
    event.preventDefault();
    const email = ui["login-email"].value.trim();
    const password = ui["login-password"].value;
    if (!email || !password) {
      loginError("Enter your email and password.");
      return;
    }
    ui["login-submit"].disabled = true;
    ui["login-error"].hidden = true;
    try {
      await logIn(email, password);
    } catch {
      loginError("Cannot reach the server. Check your connection and try again.");
    } finally {
      ui["login-submit"].disabled = false;
    }
  });

  ui.logout.addEventListener("click", async () => {
    hooks.beforeLogout();
    ui.logout.disabled = true;
    try {
      await fetch("/api/auth/logout", {
        method: "POST",
        headers: { Authorization: `Bearer ${token}` },
        credentials: "same-origin",
      });
    } catch {
      // the session expires on its own; this console forgets it either way
    } finally {
      ui.logout.disabled = false;
    }
    forgetAll();
    forgetMe();
    showLogin();
  });

  return {
    get token() {
      return token;
    },
    get me() {
      return me;
    },
    setMe,
    showLogin,
    showApp,
    end,
  };
}
