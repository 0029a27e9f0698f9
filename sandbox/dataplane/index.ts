// sandbox/dataplane/: /pkg served by the process that runs the isolates, and
// the writer of a package's answer that the admin port's /pkg route shares.

export { DataPlane, type DataPlaneAddress } from "./data_plane.ts";
export type { RequestCounts } from "./request_counts.ts";
export { checkHead, responseOf, writeAnswer } from "./write_answer.ts";
export { RETRY_AFTER_SECONDS } from "./failure_answer.ts";
export { decodePkgName, splitPkgPath } from "./pkg_path.ts";
export { compressAnswer, wantsCompression } from "./compress_answer.ts";
