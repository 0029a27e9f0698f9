// Follows a server-sent event stream with fetch (EventSource cannot send an
// Authorization header, and the token must stay out of URLs); reconnects
// with Last-Event-ID after a bounded backoff until the signal aborts.

import { authHeaders, errorOf } from "./api.js";

const MAX_BACKOFF_MS = 10_000;

/** Splits the stream into events: `{ event, data, id }` for each blank-line-terminated block. */
async function readEvents(body, onEvent, onId) {
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  let event = { event: "message", data: [], id: undefined };
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value;
    const lines = buffer.split(/\r\n|\r|\n/);
    buffer = lines.pop();
    for (const line of lines) {
      if (line === "") {
        if (event.id !== undefined) onId(event.id);
        if (event.data.length > 0) onEvent({ event: event.event, data: event.data.join("\n"), id: event.id });
        event = { event: "message", data: [], id: undefined };
        continue;
      }
      const colon = line.indexOf(":");
      if (colon === 0) continue;
      const field = colon < 0 ? line : line.slice(0, colon);
      const text = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
      if (field === "event") event.event = text;
      else if (field === "data") event.data.push(text);
      else if (field === "id") event.id = text;
    }
  }
}

/** Calls `onEvent` for each event of `path` until `signal` aborts; `onError` hears each failed attempt. */
export async function followEvents(path, { signal, onEvent, onError = () => {} }) {
  let lastId;
  let backoff = 500;
  while (!signal.aborted) {
    try {
      const headers = { ...authHeaders(), accept: "text/event-stream" };
      if (lastId !== undefined) headers["last-event-id"] = lastId;
      const response = await fetch(path, { headers, signal, cache: "no-store" });
      if (!response.ok) throw await errorOf(response);
      backoff = 500;
      await readEvents(response.body, onEvent, (id) => (lastId = id));
    } catch (error) {
      if (signal.aborted) return;
      onError(error);
      if (error.status === 401 || error.status === 403 || error.status === 404) return;
    }
    await new Promise((resolve) => setTimeout(resolve, backoff));
    backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
  }
}
