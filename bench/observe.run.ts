// Runs the observability benchmark on its own:
// node --no-node-snapshot --expose-gc --import tsx bench/observe.run.ts

import { run } from "./observe.ts";

await run();
