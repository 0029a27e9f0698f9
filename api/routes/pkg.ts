// ANY /pkg/{name}/*: a package's own HTTP answers. The request goes to its
// `fetch(request, info)` with the path after the prefix; its Response comes
// back as it is, streamed. The host answers only for a package that is not
// running (503, Retry-After) or that a host limit cut short (503, naming it).

import type { Context } from "hono";
import { getConnInfo } from "@hono/node-server/conninfo";
import { IsopodError } from "../../runtime/errors.ts";
import type { Host } from "../../runtime/host.ts";
import { SandboxFailure, type ChunkSource, type SandboxResponse } from "../../sandbox/index.ts";
import { errorResponse } from "../error_response.ts";
import { packageNameFrom } from "../package_name.ts";

/** Seconds a client is told to wait before it asks a package that is not running again. */
export const RETRY_AFTER_SECONDS = 5;

const LIMIT_OF: Partial<Record<string, string>> = { "wall-time": "timeoutMs", "cpu-time": "cpuMs", memory: "memoryMb" };
const NULL_BODY_STATUS = new Set([101, 103, 204, 205, 304]);

/** Splits `/pkg/@scope/name/rest`, `/pkg/%40scope%2Fname/rest` or `/pkg/name/rest` into the name and `/rest`. */
export function splitPackagePath(pathname: string): { name: string; path: string } {
  const rest = pathname.replace(/^\/pkg\/?/, "");
  const segments = rest.split("/");
  const scoped = segments[0]?.startsWith("@") && segments.length > 1;
  const nameParam = scoped ? `${segments[0]}/${segments[1]}` : (segments[0] ?? "");
  const tail = segments.slice(scoped ? 2 : 1).join("/");
  return { name: packageNameFrom(nameParam), path: `/${tail}` };
}

function chunkSourceOf(stream: ReadableStream<Uint8Array>): ChunkSource {
  const reader = stream.getReader();
  return {
    read: async () => {
      const { done, value } = await reader.read();
      return done ? null : value;
    },
    cancel: (reason) => void reader.cancel(reason).catch(() => undefined),
  };
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

function remoteAddrOf(c: Context): { transport: "tcp"; hostname: string; port: number } {
  try {
    const { remote } = getConnInfo(c);
    return { transport: "tcp", hostname: remote.address ?? "127.0.0.1", port: remote.port ?? 0 };
  } catch {
    // app.request() in tests has no socket.
    return { transport: "tcp", hostname: "127.0.0.1", port: 0 };
  }
}

/** What `deno serve` answers when the handler fails: the same status, body and type. */
function internalServerError(): Response {
  return new Response("Internal Server Error", { status: 500, headers: { "content-type": "text/plain;charset=UTF-8" } });
}

function responseOf(answer: SandboxResponse, method: string): Response {
  const headers = new Headers();
  for (const [name, value] of answer.headers) headers.append(name, value);
  const status = answer.status;
  if (!Number.isInteger(status) || status < 200 || status > 599) throw new TypeError(`invalid status ${status}`);
  let body: ReadableStream<Uint8Array> | Uint8Array | null = null;
  if (answer.body instanceof Uint8Array) body = answer.body;
  else if (answer.body !== null) body = streamOf(answer.body);
  if (method === "HEAD" || NULL_BODY_STATUS.has(status)) {
    if (answer.body !== null && !(answer.body instanceof Uint8Array)) answer.body.cancel("no body is sent");
    body = null;
  }
  return new Response(body, { status, statusText: answer.statusText, headers });
}

function failureResponse(c: Context, name: string, error: unknown): Response {
  if (error instanceof SandboxFailure) {
    const limit = LIMIT_OF[error.reason];
    if (limit) {
      return errorResponse(c, new IsopodError("limit_exceeded", `"${name}" was cut short by its ${limit} limit: ${error.message}`, { limit }));
    }
    if (error.reason === "no-handler") {
      return errorResponse(c, new IsopodError("not_found", `package "${name}" has no fetch handler in its default export`));
    }
    if (error.reason === "disposed") error = new IsopodError("not_running", `package "${name}" stopped while answering`);
    else return internalServerError();
  }
  const response = errorResponse(c, error);
  if (error instanceof IsopodError && error.code === "not_running") response.headers.set("retry-after", String(RETRY_AFTER_SECONDS));
  return response;
}

export function pkgHandler(host: Host) {
  return async (c: Context): Promise<Response> => {
    const raw = c.req.raw;
    const url = new URL(raw.url);
    const { name, path } = splitPackagePath(url.pathname);
    const hasBody = raw.body !== null && raw.method !== "GET" && raw.method !== "HEAD";
    const headers: [string, string][] = [];
    raw.headers.forEach((value, key) => headers.push([key, value]));
    let answer: SandboxResponse;
    try {
      answer = await host.packages.forward(name, {
        head: { method: raw.method, url: `${url.protocol}//${url.host}${path}${url.search}`, headers, remoteAddr: remoteAddrOf(c) },
        body: hasBody ? chunkSourceOf(raw.body) : null,
        signal: raw.signal,
      });
    } catch (error) {
      return failureResponse(c, name, error);
    }
    try {
      return responseOf(answer, raw.method);
    } catch {
      return internalServerError();
    }
  };
}
