// The host: small charts of the last hour (from the samples in SQLite), the
// host process, the sandbox process and its isolates, and tokens for an admin.

import { api } from "./api.js";
import { Chart, seriesOf } from "./chart.js";
import { bytes, duration } from "./format.js";
import { html } from "./html.js";
import { TokensPanel } from "./tokens_panel.js";
import { usePoll } from "./use_poll.js";

const HOUR_MS = 60 * 60 * 1000;

async function loadHost() {
  const since = new Date(Date.now() - HOUR_MS).toISOString();
  const [stats, health, isolates, samples] = await Promise.all([
    api("GET", "/v1/stats"),
    api("GET", "/healthz"),
    api("GET", "/v1/isolates"),
    api("GET", `/v1/stats/samples?since=${encodeURIComponent(since)}&limit=10000`),
  ]);
  return { stats, health, isolates: isolates.items, series: seriesOf(samples.items) };
}

function Sandbox({ sandbox }) {
  if (sandbox.mode === "inline") return html`<p>Isolates run inside the host process (ISOPOD_SANDBOX=inline).</p>`;
  return html`<dl>
    <dt>Sandbox process</dt><dd>${sandbox.state}${sandbox.pid ? `, pid ${sandbox.pid}` : ""}</dd>
    <dt>Crashes</dt><dd>${sandbox.crashes} since start, ${sandbox.recentCrashes} recently</dd>
  </dl>`;
}

export function HostPage({ session }) {
  const { data, error } = usePoll(loadHost, 5000);
  const host = data?.stats.host;
  return html`
    <h1>Host</h1>
    ${error && html`<p class="error" role="alert">Cannot load the host's figures: ${error.message}</p>`}
    ${data && html`
      <section class="charts" aria-label="Last hour">
        <${Chart} title="Requests per second" unit="req/s" xs=${data.series.xs} ys=${data.series.requests} />
        <${Chart} title="CPU (isolates)" unit="%" xs=${data.series.xs} ys=${data.series.cpu} />
        <${Chart} title="Heap (isolates)" unit="" format=${bytes} xs=${data.series.xs} ys=${data.series.heap} />
      </section>
      <section aria-labelledby="process-title">
        <h2 id="process-title">Processes</h2>
        <dl>
          <dt>Host process</dt><dd>pid ${host.pid}, Node ${host.node}, up ${duration(host.uptimeMs)}</dd>
          <dt>Memory</dt><dd>${bytes(host.rssBytes)} resident, heap ${bytes(host.heapUsedBytes)}</dd>
          <dt>Packages</dt><dd>${host.packages.installed} installed, ${host.packages.running} running, ${host.packages.failed} failed</dd>
        </dl>
        <${Sandbox} sandbox=${data.health.sandbox} />
        <table aria-label="Isolates">
          <thead><tr><th scope="col">Package</th><th scope="col">Isolate</th><th scope="col">CPU</th><th scope="col">Heap</th><th scope="col">Age</th></tr></thead>
          <tbody>
            ${data.isolates.length === 0 && html`<tr><td colspan="5" class="empty">No isolate is running.</td></tr>`}
            ${data.isolates.map((i) => html`<tr key=${i.id}><td>${i.package}</td><td class="mono">${i.id}</td>
              <td>${Math.round(i.cpuMs)} ms</td><td>${bytes(i.heapUsedBytes)} of ${bytes(i.heapLimitBytes)}</td><td>${duration(i.ageMs)}</td></tr>`)}
          </tbody>
        </table>
      </section>`}
    ${session.role === "admin" && html`<${TokensPanel} />`}`;
}
