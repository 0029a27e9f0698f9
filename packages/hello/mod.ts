// hello: the smallest useful isopod package. It runs unchanged under
// `deno serve -P mod.ts` and inside an isopod host.

import { greeting } from "./greeting.ts";

let startedAt: number | undefined;

export default {
  start() {
    startedAt = Date.now();
    console.log("hello started");
  },

  stop() {
    console.log(`hello stopped after ${Date.now() - (startedAt ?? Date.now())} ms`);
  },

  fetch(request: Request): Response {
    const url = new URL(request.url);
    const name = url.searchParams.get("name") ?? "world";
    return Response.json({ message: greeting(name), path: url.pathname });
  },
};
