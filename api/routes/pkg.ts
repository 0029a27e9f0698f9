// ANY /pkg/{name}/*: a package's own HTTP answers. The request goes to its
// `fetch(request, info)` with the path after the prefix; its Response comes
// back as it is, streamed. The host answers only for a package that is not
// running (503, Retry-After) or that a host limit cut short (503, naming it).

import type { Context } from "hono";
import type { ServerResponse } from "node:http";
import { getConnInfo } from "@hono/node-server/conninfo";
import { RESPONSE_ALREADY_SENT } from "@hono/node-server/utils/response";
import {
  checkHead,
  requestFailureError,
  responseOf,
  RETRY_AFTER_SECONDS,
  splitPkgPath,
  writeAnswer,
  type ChunkSource,
  type Host,
  type SandboxResponse,
} from "../../runtime/index.ts";
import { errorResponse } from "../error_response.ts";
import { packageNameFrom } from "../package_name.ts";


/** Splits `/pkg/@scope/name/rest`, `/pkg/%40scope%2Fname/rest` or `/pkg/name/rest` into the name and `/rest`. */
export function splitPackagePath(pathname: string): { name: string; path: string } {
  const { nameParam, path } = splitPkgPath(pathname);
  return { name: packageNameFrom(nameParam), path };
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

function remoteAddrOf(c: Context): { transport: "tcp"; hostname: string; port: number } {
  try {
    const { remote } = getConnInfo(c);
    return { transport: "tcp", hostname: remote.address ?? "127.0.0.1", port: remote.port ?? 0 };
  } catch {
    // app.request() in tests has no socket.
    return { transport: "tcp", hostname: "127.0.0.1", port: 0 };
  }
}

/** What `deno serve` answers when the handler fails: 500, this body, and no content type. */
const INTERNAL_SERVER_ERROR: SandboxResponse = {
  status: 500,
  statusText: "",
  headers: [],
  body: new TextEncoder().encode("Internal Server Error"),
};

/** Writes straight to Node's response when there is one (see sandbox/dataplane/write_answer.ts), else returns a web Response. */
async function answerWith(c: Context, answer: SandboxResponse): Promise<Response> {
  const outgoing = (c.env as { outgoing?: ServerResponse } | undefined)?.outgoing;
  // Hono answers HEAD by re-wrapping the GET answer, so it must stay a Response (it has no body to default a type for).
  if (!outgoing || c.req.method === "HEAD") return responseOf(answer, c.req.method);
  await writeAnswer(outgoing, answer, c.req.method);
  return RESPONSE_ALREADY_SENT;
}

function failureResponse(c: Context, name: string, error: unknown): Response | Promise<Response> {
  const translated = requestFailureError(name, error);
  if (translated === undefined) return answerWith(c, { ...INTERNAL_SERVER_ERROR });
  const response = errorResponse(c, translated);
  if (translated.code === "not_running") response.headers.set("retry-after", String(RETRY_AFTER_SECONDS));
  return response;
}

export function pkgHandler(host: Pick<Host, "packages" | "stats">) {
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
      const response = await failureResponse(c, name, error);
      host.stats.countRequest(name, response === RESPONSE_ALREADY_SENT ? 500 : response.status);
      return response;
    }
    try {
      checkHead(answer);
    } catch {
      if (answer.body !== null && !(answer.body instanceof Uint8Array)) answer.body.cancel("invalid response head");
      answer = { ...INTERNAL_SERVER_ERROR };
    }
    host.stats.countRequest(name, answer.status);
    return answerWith(c, answer);
  };
}
