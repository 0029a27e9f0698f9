// Writes a package's answer to the client. On a real server it goes straight
// to Node's response, so nothing is added that the package did not send
// (as under `deno serve`) and a slow client slows the package's stream
// (backpressure); under app.request() it becomes a web Response.

import type { ServerResponse } from "node:http";
import { textOf } from "../body_text.ts";
import type { ChunkSource, SandboxResponse } from "../sandbox.ts";

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** NUL, CR and LF, or a character beyond a byte, which no header value may hold. */
const BAD_VALUE = /[\0\r\n]|[^\0-\xff]/;
const NULL_BODY_STATUS = new Set([101, 103, 204, 205, 304]);

/** Checks the head an untrusted isolate sent before any of it reaches the client. */
export function checkHead(answer: SandboxResponse): void {
  if (!Number.isInteger(answer.status) || answer.status < 200 || answer.status > 599) {
    throw new TypeError(`invalid status ${String(answer.status)}`);
  }
  if (!Array.isArray(answer.headers)) throw new TypeError("invalid headers");
  // What `new Headers(list)` refuses, checked without building one.
  for (const pair of answer.headers as unknown[]) {
    if (!Array.isArray(pair) || pair.length !== 2) throw new TypeError("invalid header pair");
    const [name, value] = pair as unknown[];
    if (typeof name !== "string" || !TOKEN.test(name)) throw new TypeError(`invalid header name ${JSON.stringify(name)}`);
    if (typeof value !== "string" || BAD_VALUE.test(value)) throw new TypeError(`invalid value for header ${name}`);
  }
}

function withLength(answer: SandboxResponse, method: string): [string, string][] {
  const headers = [...answer.headers];
  const known = answer.body instanceof Uint8Array && !NULL_BODY_STATUS.has(answer.status);
  if (known && !headers.some(([name]) => name === "content-length")) {
    headers.push(["content-length", String((answer.body as Uint8Array).byteLength)]);
  }
  if (!known && answer.body === null && method !== "HEAD" && !NULL_BODY_STATUS.has(answer.status)) {
    headers.push(["content-length", "0"]);
  }
  return headers;
}

function drained(outgoing: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      outgoing.off("drain", done);
      outgoing.off("close", done);
      resolve();
    };
    outgoing.once("drain", done);
    outgoing.once("close", done);
  });
}

async function pump(source: ChunkSource, outgoing: ServerResponse): Promise<void> {
  const onClose = () => source.cancel("the client went away");
  outgoing.once("close", onClose);
  try {
    for (;;) {
      const chunk = await source.read();
      if (chunk === null) break;
      if (outgoing.destroyed) return;
      if (!outgoing.write(chunk)) await drained(outgoing);
    }
    outgoing.end();
  } catch {
    // The head is already out: all that is left to say is that the body broke.
    outgoing.destroy();
  } finally {
    outgoing.off("close", onClose);
  }
}

/** Sends the answer on Node's response object. */
export async function writeAnswer(outgoing: ServerResponse, answer: SandboxResponse, method: string): Promise<void> {
  const flat = withLength(answer, method).flat();
  outgoing.writeHead(answer.status, flat);
  const body = answer.body;
  if (method === "HEAD" || NULL_BODY_STATUS.has(answer.status) || body === null) {
    if (body !== null && !(body instanceof Uint8Array)) body.cancel("no body is sent");
    outgoing.end();
  } else if (body instanceof Uint8Array) {
    // A body that crossed as a string goes out as one: Node then writes head and body in one piece.
    const text = textOf(body);
    if (text === undefined) outgoing.end(body);
    else outgoing.end(text, "latin1");
  } else {
    await pump(body, outgoing);
  }
}

function streamOf(source: ChunkSource): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        try {
          const chunk = await source.read();
          if (chunk === null) controller.close();
          else controller.enqueue(chunk);
        } catch (error) {
          controller.error(error);
        }
      },
      cancel(reason) {
        source.cancel(String(reason));
      },
    },
    { highWaterMark: 0 },
  );
}

/** The answer as a web Response (no Node response to write to). */
export function responseOf(answer: SandboxResponse, method: string): Response {
  const headers = new Headers();
  for (const [name, value] of withLength(answer, method)) headers.append(name, value);
  let body: ReadableStream<Uint8Array> | Uint8Array | null = null;
  if (answer.body instanceof Uint8Array) body = answer.body;
  else if (answer.body !== null) body = streamOf(answer.body);
  if (method === "HEAD" || NULL_BODY_STATUS.has(answer.status)) {
    if (answer.body !== null && !(answer.body instanceof Uint8Array)) answer.body.cancel("no body is sent");
    body = null;
  }
  return new Response(body, { status: answer.status, headers });
}
