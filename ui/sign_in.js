// The sign-in form: a token checked against the host, then kept in
// sessionStorage (this tab only). The form never submits to a URL.

import { api, tokenStore } from "./api.js";
import { html, useState } from "./html.js";

export function SignIn({ onSignedIn, notice }) {
  const [token, setToken] = useState("");
  const [error, setError] = useState(notice);
  const [busy, setBusy] = useState(false);

  const submit = async (event) => {
    event.preventDefault();
    const value = token.trim();
    if (value === "") return setError("Enter a token: isopod token create, or the admin-token file in the host's data folder.");
    setBusy(true);
    try {
      const session = await api("GET", "/v1/ui/session", undefined, { token: value });
      tokenStore.set(value);
      setToken("");
      onSignedIn(session);
    } catch (failure) {
      setError(failure.status === 401 ? "The host does not know this token (or it was revoked)." : failure.message);
    } finally {
      setBusy(false);
    }
  };

  return html`
    <main class="sign-in">
      <h1>isopod</h1>
      <form onSubmit=${submit} aria-label="Sign in">
        <label for="token">Token</label>
        <input id="token" name="token" type="password" autocomplete="off" spellcheck="false" value=${token}
          onInput=${(e) => setToken(e.currentTarget.value)} />
        <button type="submit" disabled=${busy}>Sign in</button>
        ${error && html`<p class="error" role="alert">${error}</p>`}
      </form>
      <p class="hint">The token stays in this tab (sessionStorage) and is sent only in the Authorization header.</p>
    </main>`;
}
