import { serve } from "@hono/node-server";
import { Hono } from "hono";
import { load, loadLine } from "/work/wt/perf/bench/_load.ts";
const hello = (await import("/work/wt/perf/packages/hello/mod.ts")).default as { fetch(r: Request): Response };
const app = new Hono();
app.all("/*", (c) => hello.fetch(c.req.raw));
const url = await new Promise<string>((resolve) => { serve({ fetch: app.fetch, hostname: "127.0.0.1", port: 0 }, (i) => resolve(`http://127.0.0.1:${i.port}/?name=bench`)); });
console.log(loadLine("hono", await load(url, { seconds: 5 })));
process.exit(0);
