// Runs bench/msgpack.ts: node --no-node-snapshot --import tsx bench/msgpack.run.ts
import { run } from "./msgpack.ts";

await run();
