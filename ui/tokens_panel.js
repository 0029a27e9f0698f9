// Tokens (admin only): who has one and with which role; create one (its
// secret shown once) or revoke one.

import { api } from "./api.js";
import { time } from "./format.js";
import { html, useState } from "./html.js";
import { usePoll } from "./use_poll.js";

export function TokensPanel() {
  const { data, error, refresh } = usePoll(() => api("GET", "/v1/tokens"), 10_000);
  const [name, setName] = useState("");
  const [role, setRole] = useState("viewer");
  const [message, setMessage] = useState(undefined);

  const create = async (event) => {
    event.preventDefault();
    try {
      const created = await api("POST", "/v1/tokens", { name: name.trim(), role });
      setMessage({ text: `Token for ${created.name} (${created.role}), shown once: `, secret: created.token });
      setName("");
    } catch (failure) {
      setMessage({ error: true, text: `${failure.code}: ${failure.message}` });
    }
    refresh();
  };

  const revoke = async (token) => {
    if (!window.confirm(`Revoke the token of ${token.name}?`)) return;
    try {
      await api("DELETE", `/v1/tokens/${encodeURIComponent(token.id)}`);
      setMessage({ text: `Revoked the token of ${token.name}.` });
    } catch (failure) {
      setMessage({ error: true, text: `${failure.code}: ${failure.message}` });
    }
    refresh();
  };

  return html`
    <section aria-labelledby="tokens-title">
      <h2 id="tokens-title">Tokens</h2>
      ${error && html`<p class="error" role="alert">${error.message}</p>`}
      <table aria-label="Tokens">
        <thead><tr><th scope="col">Name</th><th scope="col">Role</th><th scope="col">Created</th><th scope="col">Last used</th><th scope="col">Revoked</th><th scope="col"></th></tr></thead>
        <tbody>${(data?.items ?? []).map((t) => html`<tr key=${t.id}>
          <td>${t.name}</td><td>${t.role}</td><td>${time(t.createdAt)}</td><td>${time(t.lastUsedAt)}</td><td>${time(t.revokedAt)}</td>
          <td>${!t.revokedAt && t.id !== "env" && html`<button type="button" aria-label=${`Revoke the token of ${t.name}`} onClick=${() => revoke(t)}>Revoke</button>`}</td>
        </tr>`)}</tbody>
      </table>
      <form class="row" onSubmit=${create} aria-label="Create a token">
        <label for="token-name">Name</label>
        <input id="token-name" value=${name} onInput=${(e) => setName(e.currentTarget.value)} />
        <label for="token-role">Role</label>
        <select id="token-role" value=${role} onChange=${(e) => setRole(e.currentTarget.value)}>
          <option value="viewer">viewer</option><option value="admin">admin</option>
        </select>
        <button type="submit" disabled=${name.trim() === ""}>Create token</button>
      </form>
      ${message && html`<p class=${message.error ? "error" : "ok"} role="status">${message.text}${message.secret && html`<code class="secret">${message.secret}</code>`}</p>`}
    </section>`;
}
