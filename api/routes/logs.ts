// GET /v1/packages/{name}/logs: a package's captured console output, the
// newest `tail` lines, or with `follow=true` a stream of server-sent events.

import type { Context } from "hono";
import { Hono } from "hono";
import { badRequest, type Host } from "../../runtime/index.ts";
import type { AuthEnv } from "../auth.ts";
import { entryView, followLog } from "../log_events.ts";
import { NAME_PARAM, packageNameFrom } from "../package_name.ts";

const DEFAULT_TAIL = 100;
const MAX_TAIL = 10_000;

function wholeNumber(name: string, raw: string, max: number): number {
  const value = /^\d+$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(value) || value > max) {
    throw badRequest(`"${name}" must be a whole number from 0 to ${max}, got ${JSON.stringify(raw)}`);
  }
  return value;
}

function booleanQuery(name: string, raw: string | undefined): boolean {
  if (raw === undefined || raw === "false") return false;
  if (raw === "true") return true;
  throw badRequest(`"${name}" must be true or false, got ${JSON.stringify(raw)}`);
}

/** The Node response behind a request, when served by @hono/node-server, so a stalled client can be dropped. */
function nodeResponseOf(c: Context): { destroy(): void } | undefined {
  const env = c.env as { outgoing?: { destroy?: unknown } } | undefined;
  const outgoing = env?.outgoing;
  return outgoing && typeof outgoing.destroy === "function" ? (outgoing as { destroy(): void }) : undefined;
}

export function logRoutes(host: Pick<Host, "logs" | "packages">): Hono<AuthEnv> {
  const app = new Hono<AuthEnv>();

  app.get(`/${NAME_PARAM}/logs`, (c) => {
    const name = packageNameFrom(c.req.param("name"));
    const tailRaw = c.req.query("tail");
    const tail = tailRaw === undefined ? DEFAULT_TAIL : wholeNumber("tail", tailRaw, MAX_TAIL);
    const follow = booleanQuery("follow", c.req.query("follow"));
    const lastEventRaw = c.req.header("last-event-id");
    const lastEventId = lastEventRaw === undefined ? undefined : wholeNumber("Last-Event-ID", lastEventRaw, Number.MAX_SAFE_INTEGER);
    host.packages.get(name);
    if (!follow) return c.json({ items: host.logs.tail(name, tail).map(entryView) });

    const stream = followLog(host.logs, name, {
      // A client that reconnects with Last-Event-ID gets what it missed, not the tail again.
      backlog: () => (lastEventId === undefined ? host.logs.tail(name, tail) : host.logs.since(name, lastEventId, MAX_TAIL)),
      onCut: () => {
        const response = nodeResponseOf(c);
        response?.destroy();
        return response !== undefined;
      },
    });
    return new Response(stream, {
      headers: {
        "content-type": "text/event-stream; charset=utf-8",
        "cache-control": "no-cache",
        "x-accel-buffering": "no",
      },
    });
  });

  return app;
}
