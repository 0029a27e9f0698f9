// Runs the dependencies benchmark on its own:
// node --no-node-snapshot --expose-gc --import tsx bench/dependencies.run.ts

import { run } from "./dependencies.ts";

await run();
