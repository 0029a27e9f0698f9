// packages_list answers per second over the Redis door (ioredis) against the
// HTTP actor route (fetch), one host, real loopback sockets, in one run.

import path from "node:path";
import { Redis } from "ioredis";
import { listen } from "../api/index.ts";
import { listenResp, respServicesOf } from "../resp/index.ts";
import { BENCH_TOKEN, openBenchHost } from "./_bench_host.ts";
import { report } from "./_measure.ts";

const SECONDS = 3;
const CONCURRENCY = 16;
const HELLO = path.resolve(import.meta.dirname, "../packages/hello");

/** Calls per second of `call`, `concurrency` at a time, for SECONDS. */
async function rate(call: () => Promise<unknown>, concurrency: number): Promise<number> {
  const deadline = performance.now() + SECONDS * 1000;
  let count = 0;
  const worker = async () => {
    while (performance.now() < deadline) {
      await call();
      count++;
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: concurrency }, worker));
  return Math.round(count / ((performance.now() - started) / 1000));
}

export async function run(): Promise<void> {
  const bench = await openBenchHost();
  const http = await listen(bench.host, { hostname: "127.0.0.1", port: 0 });
  const door = await listenResp(respServicesOf(bench.host), { hostname: "127.0.0.1", port: 0 });
  const redis = new Redis(door.port, "127.0.0.1", { password: BENCH_TOKEN, lazyConnect: true, maxRetriesPerRequest: 0 });
  try {
    await bench.call("POST", "/actors/package_manager/package_add", { path: HELLO });
    await redis.connect();
    const overResp = async () => JSON.parse((await redis.call("default.package_manager.packages_list")) as string) as unknown;
    const overHttp = async () => {
      const response = await fetch(`${http.url}/actors/package_manager/packages_list`, { method: "POST", headers: { authorization: `Bearer ${BENCH_TOKEN}` } });
      return (await response.json()) as unknown;
    };
    if (JSON.stringify(await overResp()) !== JSON.stringify(await overHttp())) throw new Error("the two doors answer differently");
    await rate(overResp, 1); // warm-up
    await rate(overHttp, 1);
    const rows: [string, string][] = [];
    for (const concurrency of [1, CONCURRENCY]) {
      rows.push([`RESP (ioredis), ${concurrency} in flight`, `${await rate(overResp, concurrency)} /s`]);
      rows.push([`HTTP actor route (fetch), ${concurrency} in flight`, `${await rate(overHttp, concurrency)} /s`]);
    }
    report(`packages_list with 1 package, ${SECONDS} s each (RESP also writes an audit row per call)`, rows);
  } finally {
    redis.disconnect();
    await door.close();
    await http.close();
    await bench.close();
  }
}
