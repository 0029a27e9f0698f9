// GET /v1/stats (Liota's `stat met|col|th`), GET /v1/stats/samples (the
// history in SQLite) and GET /v1/isolates (Liota's `list th`).

import { statSync } from "node:fs";
import { Hono } from "hono";
import { badRequest, type Host, type StatsSnapshot } from "../../runtime/index.ts";
import { isPackageName } from "../../common/names.ts";
import type { AuthEnv } from "../auth.ts";

const iso = (ms: number | null): string | null => (ms === null || ms === 0 ? null : new Date(ms).toISOString());

/** Bytes of the database file and its write-ahead log. */
function databaseBytes(file: string): number {
  const size = (name: string) => {
    try {
      return statSync(name).size;
    } catch {
      return 0;
    }
  };
  return size(file) + size(`${file}-wal`);
}

function statsView(host: Pick<Host, "collector" | "isolates" | "layout" | "retention" | "sampler" | "store">, snapshot: StatsSnapshot) {
  const { host: figures } = snapshot;
  const retention = host.retention.info;
  return {
    at: iso(snapshot.at),
    host: { ...figures, startedAt: iso(figures.startedAt) },
    packages: snapshot.packages,
    resources: snapshot.resources,
    sampler: { ...host.sampler.info, lastSampleAt: iso(host.sampler.info.lastSampleAt) },
    retention: {
      intervalMs: retention.config.intervalMs,
      bounds: { logs: retention.config.logs, samples: retention.config.samples, audit: retention.config.audit },
      lastRun: retention.lastRun && { ...retention.lastRun, at: iso(retention.lastRun.at) },
    },
    storage: { databaseBytes: databaseBytes(host.layout.database) },
  };
}

function sinceOf(raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const ms = Date.parse(raw);
  if (Number.isNaN(ms)) throw badRequest(`"since" must be an ISO 8601 time, got ${JSON.stringify(raw)}`);
  return ms;
}

function limitOf(raw: string | undefined): number {
  if (raw === undefined) return 100;
  const value = /^\d+$/.test(raw) ? Number(raw) : NaN;
  if (!(value >= 1 && value <= 10_000)) throw badRequest(`"limit" must be a whole number from 1 to 10000, got ${JSON.stringify(raw)}`);
  return value;
}

export function statsRoutes(host: Pick<Host, "collector" | "isolates" | "layout" | "retention" | "sampler" | "store">): Hono<AuthEnv> {
  const app = new Hono<AuthEnv>();

  app.get("/stats", async (c) => c.json(statsView(host, await host.collector.collect())));

  app.get("/stats/samples", (c) => {
    const pkg = c.req.query("package");
    const resource = c.req.query("resource");
    if (pkg !== undefined && resource !== undefined) throw badRequest('give "package" or "resource", not both');
    if (pkg !== undefined && !isPackageName(pkg)) throw badRequest(`"${pkg}" is not a valid package name`);
    const since = sinceOf(c.req.query("since"));
    const limit = limitOf(c.req.query("limit"));
    const query = { limit, ...(since !== undefined && { since }) };
    if (resource !== undefined) {
      const items = host.store.stats.resourceSamples({ ...query, name: resource });
      return c.json({ items: items.map((sample) => ({ ...sample, at: iso(sample.at) })) });
    }
    const items = host.store.stats.packageSamples({ ...query, ...(pkg !== undefined && { name: pkg }) });
    return c.json({ items: items.map((sample) => ({ ...sample, at: iso(sample.at) })) });
  });

  app.get("/isolates", async (c) => {
    const now = Date.now();
    const isolates = await host.isolates();
    return c.json({
      items: isolates.map((isolate) => ({
        id: isolate.instanceId,
        package: isolate.packageName,
        cpuMs: isolate.cpuMs,
        wallMs: isolate.wallMs,
        heapUsedBytes: isolate.heapUsedBytes,
        heapTotalBytes: isolate.heapTotalBytes,
        heapLimitBytes: isolate.heapLimitBytes,
        externalBytes: isolate.externalBytes,
        heapAt: iso(isolate.heapAt),
        createdAt: iso(isolate.createdAt),
        ageMs: now - isolate.createdAt,
      })),
    });
  });

  return app;
}
