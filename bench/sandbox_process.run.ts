// Runs the sandbox process benchmarks: node --no-node-snapshot --import tsx bench/sandbox_process.run.ts

import { run } from "./sandbox_process.ts";

await run();
