// The packages table: one row per package with its state, counters and
// lifecycle buttons, polled every two seconds so states change without a reload.

import { PackageActions } from "./actions.js";
import { AddForm } from "./add_form.js";
import { api, packageHref } from "./api.js";
import { duration, source } from "./format.js";
import { html, useState } from "./html.js";
import { usePoll } from "./use_poll.js";

async function loadPackages() {
  const [list, stats] = await Promise.all([api("GET", "/v1/packages"), api("GET", "/v1/stats")]);
  const figures = new Map(stats.packages.map((p) => [p.name, p]));
  return list.items.map((pkg) => ({ ...pkg, stats: figures.get(pkg.name) }));
}

export function StateBadge({ state }) {
  return html`<span class=${`state state-${state}`}>${state}</span>`;
}

function PackageRow({ pkg, session, onDone, onChange }) {
  const s = pkg.stats;
  return html`
    <tr data-package=${pkg.name}>
      <th scope="row"><a href=${packageHref(pkg.name)}>${pkg.name}</a></th>
      <td>${pkg.version}</td>
      <td><${StateBadge} state=${pkg.state} />${pkg.error && html` <span class="reason" title=${pkg.error.message}>${pkg.error.code}</span>`}</td>
      <td>${pkg.desiredState}</td>
      <td class="source">${source(pkg.source)}</td>
      <td>${duration(s?.uptimeMs)}</td>
      <td class="num">${s?.requests ?? 0}</td>
      <td class="num">${s?.errors ?? 0}</td>
      <td><${PackageActions} name=${pkg.name} session=${session} onDone=${onDone} onChange=${onChange} /></td>
    </tr>`;
}

export function PackagesPage({ session }) {
  const { data, error, refresh } = usePoll(loadPackages, 2000);
  const [outcome, setOutcome] = useState(undefined);
  const onDone = (name, label, failure) =>
    setOutcome(failure ? { error: true, text: `${label} ${name} failed: ${failure.code}: ${failure.message}` } : { text: `${label} ${name}: done` });

  return html`
    <h1>Packages</h1>
    ${error && html`<p class="error" role="alert">Cannot load the packages: ${error.message}</p>`}
    <p class=${outcome?.error ? "error" : "ok"} role="status">${outcome?.text ?? ""}</p>
    ${data === undefined
      ? html`<p class="loading">Loading…</p>`
      : html`
        <table class="packages" aria-label="Packages">
          <thead><tr>
            <th scope="col">Name</th><th scope="col">Version</th><th scope="col">State</th><th scope="col">Desired state</th>
            <th scope="col">Source</th><th scope="col">Uptime</th><th scope="col">Requests</th><th scope="col">Errors</th><th scope="col">Actions</th>
          </tr></thead>
          <tbody>
            ${data.length === 0 && html`<tr><td colspan="9" class="empty">No packages yet.</td></tr>`}
            ${data.map((pkg) => html`<${PackageRow} key=${pkg.name} pkg=${pkg} session=${session} onDone=${onDone} onChange=${refresh} />`)}
          </tbody>
        </table>`}
    ${session.role === "admin" && html`<${AddForm} onAdded=${refresh} />`}`;
}
