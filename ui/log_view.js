// A package's log, following live: the recent lines, then each new one as the
// host streams it. Lines are text nodes, so markup in a log line shows as text.

import { packagePath } from "./api.js";
import { html, useEffect, useRef, useState } from "./html.js";
import { followEvents } from "./sse.js";

const KEEP = 500;

export function LogView({ name }) {
  const [lines, setLines] = useState([]);
  const [problem, setProblem] = useState(undefined);
  const box = useRef(null);

  useEffect(() => {
    const controller = new AbortController();
    setLines([]);
    followEvents(`${packagePath(name)}/logs?follow=true&tail=200`, {
      signal: controller.signal,
      onEvent: (event) => {
        if (event.event !== "log") return;
        let entry;
        try {
          entry = { id: event.id, ...JSON.parse(event.data) };
        } catch {
          return;
        }
        setProblem(undefined);
        setLines((old) => [...old.slice(-(KEEP - 1)), entry]);
      },
      onError: (error) => setProblem(error.message),
    });
    return () => controller.abort();
  }, [name]);

  useEffect(() => {
    const el = box.current;
    if (el) el.scrollTop = el.scrollHeight;
  }, [lines]);

  return html`
    <section aria-labelledby="logs-title">
      <h2 id="logs-title">Logs</h2>
      ${problem && html`<p class="error" role="alert">Log stream: ${problem} (retrying)</p>`}
      <div class="log" role="log" aria-label=${`Logs of ${name}`} ref=${box} tabindex="0">
        ${lines.length === 0 && html`<p class="empty">No output yet.</p>`}
        ${lines.map((line) => html`<div class=${`line level-${line.level}`} key=${line.id}>
          <time datetime=${line.ts}>${line.ts}</time> <span class="level">${line.level}</span> <span class="message">${line.message}</span>
        </div>`)}
      </div>
    </section>`;
}
