// One package: state and error with its reason, permissions requested and
// granted, dependencies and dependents, resolved npm/JSR versions when the
// API gives them, recent operations from the audit log, and live logs.

import { PackageActions } from "./actions.js";
import { PermissionTable } from "./add_form.js";
import { api, packageHref, packagePath } from "./api.js";
import { source, time } from "./format.js";
import { html, useState } from "./html.js";
import { LogView } from "./log_view.js";
import { StateBadge } from "./packages_page.js";
import { ResolvedList } from "./resolved_list.js";
import { usePoll } from "./use_poll.js";

async function loadPackage(name) {
  const [pkg, list, operations] = await Promise.all([
    api("GET", packagePath(name)),
    api("GET", "/v1/packages"),
    api("GET", `/v1/operations?package=${encodeURIComponent(name)}&limit=20`),
  ]);
  const dependents = list.items.filter((other) => Object.hasOwn(other.dependencies ?? {}, name));
  const states = new Map(list.items.map((other) => [other.name, other.state]));
  return { pkg, dependents, states, operations: operations.items };
}

function Dependencies({ pkg, dependents, states }) {
  const deps = Object.entries(pkg.dependencies ?? {});
  return html`
    <section aria-labelledby="deps-title">
      <h2 id="deps-title">Dependencies and dependents</h2>
      <h3>Depends on</h3>
      ${deps.length === 0 ? html`<p class="empty">Nothing.</p>` : html`<ul>${deps.map(([dep, range]) =>
        html`<li><a href=${packageHref(dep)}>${dep}</a> ${range} — ${states.get(dep) ?? "not installed"}</li>`)}</ul>`}
      <h3>Needed by</h3>
      ${dependents.length === 0 ? html`<p class="empty">Nothing.</p>` : html`<ul>${dependents.map((d) =>
        html`<li><a href=${packageHref(d.name)}>${d.name}</a> — ${d.state}</li>`)}</ul>`}
    </section>`;
}

function Operations({ items }) {
  return html`
    <section aria-labelledby="ops-title">
      <h2 id="ops-title">Recent operations</h2>
      <table aria-label="Recent operations">
        <thead><tr><th scope="col">When</th><th scope="col">Who</th><th scope="col">Operation</th><th scope="col">Result</th><th scope="col">Reason</th></tr></thead>
        <tbody>
          ${items.length === 0 && html`<tr><td colspan="5" class="empty">None recorded.</td></tr>`}
          ${items.map((op) => html`<tr key=${op.id}>
            <td>${time(op.at)}</td><td>${op.actor}</td><td>${op.operation}</td>
            <td class=${op.result === "ok" ? "ok" : "error"}>${op.result}</td>
            <td>${op.errorCode ? `${op.errorCode}: ${op.errorMessage ?? ""}` : ""}</td>
          </tr>`)}
        </tbody>
      </table>
    </section>`;
}

export function PackagePage({ name, session }) {
  const { data, error, refresh } = usePoll(() => loadPackage(name), 2000, [name]);
  const [outcome, setOutcome] = useState(undefined);
  if (error?.status === 404) return html`<h1>${name}</h1><p class="error" role="alert">${error.message}</p><p><a href="#/">Back to the packages</a></p>`;
  const pkg = data?.pkg;
  return html`
    <p><a href="#/">← Packages</a></p>
    <h1>${name}</h1>
    ${error && html`<p class="error" role="alert">Cannot load it: ${error.message}</p>`}
    ${pkg && html`
      <section class="summary" aria-label="Summary">
        <dl>
          <dt>Version</dt><dd>${pkg.version}</dd>
          <dt>State</dt><dd><${StateBadge} state=${pkg.state} /></dd>
          <dt>Desired state</dt><dd>${pkg.desiredState}</dd>
          <dt>Source</dt><dd>${source(pkg.source)}</dd>
          <dt>Integrity</dt><dd class="mono">${pkg.integrity}</dd>
          <dt>Installed</dt><dd>${time(pkg.installedAt)}</dd>
          <dt>Updated</dt><dd>${time(pkg.updatedAt)}</dd>
        </dl>
        <${PackageActions} name=${name} session=${session} onChange=${refresh}
          onDone=${(n, label, failure) => setOutcome(failure ? { error: true, text: `${label} failed: ${failure.code}: ${failure.message}` } : { text: `${label}: done` })} />
        <p class=${outcome?.error ? "error" : "ok"} role="status">${outcome?.text ?? ""}</p>
      </section>
      ${pkg.error && html`<section class="failure" aria-labelledby="error-title">
        <h2 id="error-title">Error</h2>
        <p><strong>${pkg.error.code}</strong> at ${time(pkg.error.at)}</p>
        <pre>${pkg.error.message}</pre>
      </section>`}
      <section aria-labelledby="perm-title">
        <h2 id="perm-title">Permissions</h2>
        <${PermissionTable} caption="Requested and granted" columns=${[
          { label: "Requested", set: pkg.permissions?.requested },
          { label: "Granted", set: pkg.permissions?.granted },
        ]} />
      </section>
      <${Dependencies} pkg=${pkg} dependents=${data.dependents} states=${data.states} />
      <${ResolvedList} pkg=${pkg} />
      <${Operations} items=${data.operations} />`}
    <${LogView} name=${name} />`;
}
