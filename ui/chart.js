// A small time-series chart (uPlot, the only module that touches it), with
// the latest value as its accessible name since a canvas has none.

import uPlot from "uplot";
import { html, useEffect, useRef } from "./html.js";

export function Chart({ title, xs, ys, unit, format = (v) => `${v.toFixed(1)} ${unit}` }) {
  const box = useRef(null);
  const plot = useRef(null);
  const latest = ys.length > 0 ? format(ys[ys.length - 1]) : "no samples yet";

  useEffect(() => {
    const el = box.current;
    if (!el || xs.length < 2) return undefined;
    if (!plot.current) {
      const options = {
        width: Math.max(240, el.clientWidth || 320),
        height: 140,
        legend: { show: false },
        cursor: { show: false },
        scales: { x: { time: true } },
        axes: [{ size: 30 }, { size: 84, values: (_u, ticks) => ticks.map((t) => format(t)) }],
        series: [{}, { label: title, stroke: "#2f6fb0", fill: "rgba(47,111,176,0.12)", width: 1.5 }],
      };
      plot.current = new uPlot(options, [xs, ys], el);
    } else {
      plot.current.setData([xs, ys]);
    }
    return undefined;
  }, [xs, ys]);

  useEffect(() => () => plot.current?.destroy(), []);

  return html`
    <figure class="chart">
      <figcaption>${title}: <strong>${latest}</strong></figcaption>
      <div ref=${box} role="img" aria-label=${`${title} over the last hour; latest ${latest}`}></div>
      ${xs.length < 2 && html`<p class="empty">Not enough samples yet (one every sampling interval).</p>`}
    </figure>`;
}

/** Sums per-package samples into host series: requests/s, CPU % of one core, heap bytes. */
export function seriesOf(samples) {
  const byTime = new Map();
  for (const s of samples) {
    const t = Date.parse(s.at);
    const bucket = byTime.get(t) ?? new Map();
    bucket.set(s.package, s);
    byTime.set(t, bucket);
  }
  const times = [...byTime.keys()].sort((a, b) => a - b);
  const xs = [], requests = [], cpu = [], heap = [];
  for (let i = 1; i < times.length; i++) {
    const [before, now] = [byTime.get(times[i - 1]), byTime.get(times[i])];
    const seconds = (times[i] - times[i - 1]) / 1000;
    let r = 0, c = 0, h = 0;
    for (const [name, s] of now) {
      const prev = before.get(name);
      // Counters start again with a new isolate or host: a drop is a restart, not negative work.
      if (prev) {
        r += Math.max(0, s.requests - prev.requests);
        c += Math.max(0, s.cpuMs - prev.cpuMs);
      }
      h += s.heapUsedBytes;
    }
    xs.push(times[i] / 1000);
    requests.push(r / seconds);
    cpu.push((c / (seconds * 1000)) * 100);
    heap.push(h);
  }
  return { xs, requests, cpu, heap };
}
