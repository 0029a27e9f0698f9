// Runs the sandbox benchmarks: node --no-node-snapshot --import tsx bench/sandbox.run.ts

import { run } from "./sandbox.ts";

await run();
