// Runs the limits benchmark on its own:
// node --no-node-snapshot --import tsx bench/limits.run.ts

import { run } from "./limits.ts";

await run();
