// resp/: ThreeBot's gedis door, the package_manager actor over the Redis
// protocol (RESP2, RESP3 after HELLO 3). See docs/doors.md.

export { DEFAULT_RESP_LIMITS, type RespLimits } from "./limits.ts";
export { listenResp, respServicesOf, type RespListenOptions, type RunningRespServer } from "./server.ts";
export type { RespServices } from "./session.ts";
