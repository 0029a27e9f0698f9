// An add that reports its steps: POST /v1/packages asking for NDJSON
// (docs/reference/api.md#progress), each step to `onStep`, then the package or an ApiError.

import { ApiError, authHeaders, errorOf } from "./api.js";
import { bytes } from "./format.js";

const NDJSON = "application/x-ndjson";

/** A step as one short line (the CLI writes the same words). */
export function stepText(event) {
  switch (event.step) {
    case "resolving": return `resolving ${event.source}`;
    case "downloading": return `downloading ${bytes(event.bytes)}${event.total === undefined ? "" : ` of ${bytes(event.total)}`}`;
    case "extracting": return `extracting: ${event.files} files, ${bytes(event.bytes)}`;
    case "dependencies": return `resolving dependencies: ${event.packages} packages, ${bytes(event.bytes)}`;
    default: return `${event.step} ${event.package}`;
  }
}

/** The answer's lines as they arrive. */
async function* linesOf(body) {
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  let buffered = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    const lines = (buffered += value).split("\n");
    buffered = lines.pop();
    yield* lines.filter((line) => line.trim() !== "");
  }
  if (buffered.trim() !== "") yield buffered;
}

export async function addWithSteps(body, onStep) {
  const headers = { ...authHeaders(), accept: NDJSON, "content-type": "application/json" };
  let response;
  try {
    response = await fetch("/v1/packages", { method: "POST", headers, body: JSON.stringify(body), cache: "no-store" });
  } catch (error) {
    throw new ApiError(0, "unreachable", `cannot reach the host: ${error.message}`);
  }
  if (!response.ok) throw await errorOf(response);
  if (!(response.headers.get("content-type") ?? "").startsWith(NDJSON)) return response.json();
  for await (const text of linesOf(response.body)) {
    const line = JSON.parse(text);
    if (line.type === "step") onStep(line);
    else if (line.type === "result") return line.package;
    else throw new ApiError(line.status, line.error?.code ?? "error", line.error?.message ?? "the add failed");
  }
  throw new ApiError(0, "unreachable", "the host's answer ended before the add did; see the package list");
}
