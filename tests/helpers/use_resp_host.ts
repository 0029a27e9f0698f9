// A whole host (useHost) with its Redis door listening on a free loopback
// port; both are closed when the test ends.

import type { TestContext } from "node:test";
import { listenResp, respServicesOf, type RespLimits } from "../../resp/index.ts";
import { useHost, type TestHost, type UseHostOptions } from "./use_host.ts";

export interface RespTestHost extends TestHost {
  port: number;
}

export async function useRespHost(t: TestContext, options: UseHostOptions & { limits?: Partial<RespLimits> } = {}): Promise<RespTestHost> {
  const { limits, ...hostOptions } = options;
  const h = await useHost(t, hostOptions);
  const door = await listenResp(respServicesOf(h.host), { hostname: "127.0.0.1", port: 0, ...(limits !== undefined && { limits }) });
  t.after(() => door.close());
  return { ...h, port: door.port };
}
