// An npm-registry-shaped server on 127.0.0.1 for tests: packuments and real
// gzipped tarballs the tests build, plus the ways a registry misbehaves (slow, rate limited, lying).

import { createHash } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { readFile } from "node:fs/promises";
import path from "node:path";
import type { Readable } from "node:stream";
import type { TestContext } from "node:test";
import { tarball, type TarEntry } from "./tar_writer.ts";
import { LoopbackServer } from "./loopback_server.ts";

export interface PublishSpec {
  /** Files below `package/`; package.json is written from name, version and `manifest`. */
  files?: Record<string, string>;
  /** A package folder on disk (its package.json is the manifest), instead of `files`. */
  folder?: string;
  /** Hand-made archive entries instead of `files` (hostile archives). */
  entries?: TarEntry[];
  /** Extra package.json fields (exports, main, scripts, dependencies, ...), also served in the packument. */
  manifest?: Record<string, unknown>;
  /** Serve the tarball from this stream, made per request, instead of building it. */
  stream?: () => Readable;
  /** Serve this tarball URL instead of the registry's own. */
  tarballUrl?: string;
  /** Serve this integrity instead of the true one; null serves none at all. */
  integrity?: string | null;
}

interface Published {
  manifest: Record<string, unknown>;
  bytes: Buffer;
  stream?: (() => Readable) | undefined;
}

async function gather(top: string, entries: TarEntry[]): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of tarball(top, "0".repeat(40), { entries })) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

async function gatherFolder(folder: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of tarball("package", "0".repeat(40), { folder })) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export class FakeNpm extends LoopbackServer {
  readonly packages = new Map<string, Map<string, Published>>();
  /** Never answer (the socket stays open, silent). */
  stall = false;
  /** Answer 429 with this Retry-After. */
  rateLimitRetryAfter: number | undefined;
  /** Makes up packuments for names that were not published (huge graphs). */
  generate: ((name: string) => Record<string, unknown> | undefined) | undefined;

  async publish(name: string, version: string, spec: PublishSpec = {}): Promise<void> {
    const fromFolder = spec.folder === undefined ? {} : (JSON.parse(await readFile(path.join(spec.folder, "package.json"), "utf8")) as Record<string, unknown>);
    const manifest = { ...fromFolder, name, version, ...spec.manifest };
    const files = { "package.json": JSON.stringify(manifest), ...spec.files };
    const entries = spec.entries ?? Object.entries(files).map(([path, body]) => ({ path, body }));
    const bytes = spec.folder === undefined ? await gather("package", entries) : await gatherFolder(spec.folder);
    const file = `${name.replace("/", "-")}-${version}.tgz`;
    const integrity = spec.integrity === undefined ? `sha512-${createHash("sha512").update(bytes).digest("base64")}` : spec.integrity;
    const dist = { tarball: spec.tarballUrl ?? `${this.url}/${name}/-/${file}`, ...(integrity !== null && { integrity }) };
    const versions = this.packages.get(name) ?? new Map<string, Published>();
    versions.set(version, { manifest: { ...manifest, dist }, bytes, stream: spec.stream });
    this.packages.set(name, versions);
  }

  packument(name: string): Record<string, unknown> | undefined {
    const versions = this.packages.get(name);
    if (!versions) return this.generate?.(name);
    const sorted = [...versions.keys()];
    return { name, "dist-tags": { latest: sorted.at(-1) }, versions: Object.fromEntries([...versions].map(([v, p]) => [v, p.manifest])) };
  }

  protected override async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", this.url);
    this.requests.push(`${req.method} ${url.pathname}`);
    if (this.stall) return;
    if (this.rateLimitRetryAfter !== undefined) {
      res.writeHead(429, { "retry-after": String(this.rateLimitRetryAfter) }).end("slow down");
      return;
    }
    const tarballMatch = /^\/(.+)\/-\/[^/]+-(\d[^/]*)\.tgz$/.exec(decodeURIComponent(url.pathname));
    if (tarballMatch) {
      const published = this.packages.get(tarballMatch[1]!)?.get(tarballMatch[2]!);
      if (!published) return void res.writeHead(404).end();
      res.writeHead(200, { "content-type": "application/octet-stream" });
      if (published.stream) published.stream().on("error", () => res.destroy()).pipe(res);
      else res.end(published.bytes);
      return;
    }
    const document = this.packument(decodeURIComponent(url.pathname.slice(1)));
    if (!document) return void res.writeHead(404, { "content-type": "application/json" }).end('{"error":"Not found"}');
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(document));
  }
}

export async function useFakeNpm(t: TestContext): Promise<FakeNpm> {
  const npm = new FakeNpm();
  await npm.listen();
  t.after(() => npm.close());
  return npm;
}
