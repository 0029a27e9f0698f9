// The npm and JSR versions a package's imports resolved to, when the API
// gives them (a `resolved` field, issue 12); nothing is shown otherwise.

import { html } from "./html.js";

/** Accepts `[{ specifier, name, version }]` or `{ "npm:foo": "1.2.3" }`, whichever the API sends. */
function entriesOf(resolved) {
  if (Array.isArray(resolved)) {
    return resolved.map((item) => [item.specifier ?? item.name ?? JSON.stringify(item), item.version ?? item.resolved ?? ""]);
  }
  return Object.entries(resolved).map(([key, value]) => [key, typeof value === "string" ? value : value?.version ?? JSON.stringify(value)]);
}

export function ResolvedList({ pkg }) {
  const resolved = pkg.resolved ?? pkg.resolvedDependencies;
  if (resolved === undefined || resolved === null) return null;
  const entries = entriesOf(resolved);
  return html`
    <section aria-labelledby="resolved-title">
      <h2 id="resolved-title">Resolved npm and JSR versions</h2>
      ${entries.length === 0 ? html`<p class="empty">No npm or JSR imports.</p>` : html`
        <table aria-label="Resolved versions">
          <thead><tr><th scope="col">Import</th><th scope="col">Version</th></tr></thead>
          <tbody>${entries.map(([spec, version]) => html`<tr><td class="mono">${spec}</td><td>${version}</td></tr>`)}</tbody>
        </table>`}
    </section>`;
}
