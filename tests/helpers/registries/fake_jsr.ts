// A JSR-shaped server on 127.0.0.1 for tests: meta.json, <version>_meta.json
// with a sha256 per file, and the files, as jsr.io serves them; plus the ways a registry misbehaves.

import { createHash } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { TestContext } from "node:test";
import { LoopbackServer } from "./loopback_server.ts";

export interface JsrPublishSpec {
  /** Path (without the leading slash) to file text. */
  files: Record<string, string>;
  /** Subpath to `./file`; default `{ ".": "./mod.ts" }`. */
  exports?: Record<string, string>;
  yanked?: boolean;
  /** Manifest entries served instead of the true ones (hostile metadata). */
  manifest?: Record<string, { size: number; checksum: string }>;
  /** File bodies served instead of the published ones (a lying registry). */
  served?: Record<string, string>;
}

interface Published {
  versionMeta: string;
  files: Map<string, string>;
  yanked: boolean;
}

const sha256 = (text: string | Buffer) => createHash("sha256").update(text).digest("hex");

export class FakeJsr extends LoopbackServer {
  readonly packages = new Map<string, Map<string, Published>>();
  stall = false;
  rateLimitRetryAfter: number | undefined;

  /** Publishes `@scope/name` at `version`; returns the `_meta.json` text (its sha256 is what deno.lock records). */
  publish(name: string, version: string, spec: JsrPublishSpec): string {
    const manifest =
      spec.manifest ?? Object.fromEntries(Object.entries(spec.files).map(([file, text]) => [`/${file}`, { size: Buffer.byteLength(text), checksum: `sha256-${sha256(text)}` }]));
    const versionMeta = JSON.stringify({ manifest, exports: spec.exports ?? { ".": "./mod.ts" } });
    const files = new Map(Object.entries({ ...spec.files, ...spec.served }).map(([file, text]) => [`/${file}`, text]));
    const versions = this.packages.get(name) ?? new Map<string, Published>();
    versions.set(version, { versionMeta, files, yanked: spec.yanked ?? false });
    this.packages.set(name, versions);
    return versionMeta;
  }

  protected override async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", this.url);
    this.requests.push(`${req.method} ${url.pathname}`);
    if (this.stall) return;
    if (this.rateLimitRetryAfter !== undefined) return void res.writeHead(429, { "retry-after": String(this.rateLimitRetryAfter) }).end("slow down");
    const match = /^\/(@[^/]+\/[^/]+)\/(.*)$/.exec(decodeURIComponent(url.pathname));
    const versions = match ? this.packages.get(match[1]!) : undefined;
    if (!match || !versions) return void res.writeHead(404).end('{"error":"not found"}');
    const [, name, rest] = match as unknown as [string, string, string];
    const json = (body: string) => res.writeHead(200, { "content-type": "application/json" }).end(body);
    if (rest === "meta.json") {
      const [scope, bare] = name.slice(1).split("/");
      const list = [...versions.keys()];
      const latest = list.filter((v) => !versions.get(v)!.yanked).at(-1) ?? null;
      return void json(JSON.stringify({ scope, name: bare, latest, versions: Object.fromEntries([...versions].map(([v, p]) => [v, p.yanked ? { yanked: true } : {}])) }));
    }
    const meta = /^([^/]+)_meta\.json$/.exec(rest);
    if (meta) {
      const published = versions.get(meta[1]!);
      return void (published ? json(published.versionMeta) : res.writeHead(404).end());
    }
    const slash = rest.indexOf("/");
    const file = slash < 0 ? undefined : versions.get(rest.slice(0, slash))?.files.get(rest.slice(slash));
    if (file === undefined) return void res.writeHead(404).end();
    res.writeHead(200, { "content-type": "application/typescript" }).end(file);
  }
}

export async function useFakeJsr(t: TestContext): Promise<FakeJsr> {
  const jsr = new FakeJsr();
  await jsr.listen();
  t.after(() => jsr.close());
  return jsr;
}
