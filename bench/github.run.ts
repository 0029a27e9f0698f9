// Runs the GitHub add benchmark: `node --no-node-snapshot --import tsx bench/github.run.ts`.

import { run } from "./github.ts";

await run();
