// Where the repository and its example packages are, for tests in any
// folder under tests/.

import path from "node:path";

/** The repository's root folder. */
export const ROOT = path.resolve(import.meta.dirname, "../..");

/** The example package every quick start uses. */
export const HELLO = path.join(ROOT, "packages/hello");
