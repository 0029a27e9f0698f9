// `isopod serve`: opens the data folder, boots the host and serves the API
// until SIGINT or SIGTERM.

import { listen } from "../api/index.ts";
import { Host, configFromEnv } from "../runtime/index.ts";
import { listenResp, respServicesOf } from "../resp/index.ts";

export async function serveCommand(): Promise<void> {
  const config = configFromEnv();
  const host = await Host.open(config);
  const server = await listen(host, { hostname: config.host, port: config.port });
  console.log(`isopod: serving ${server.url} on Node.js ${process.version} (data in ${config.dataDir})`);
  const resp = config.respPort === null ? undefined : await listenResp(respServicesOf(host), { hostname: config.host, port: config.respPort });
  if (resp) console.log(`isopod: Redis door (ThreeBot's actor) on ${resp.url}`);
  const { adminTokenFile } = await host.boot({ address: server.url });
  if (config.pkgPort !== undefined) {
    const pkgUrl = host.pkgUrl ?? `http://${config.host}:${config.pkgPort === 0 ? "(a free port, see /healthz)" : config.pkgPort}`;
    console.log(`isopod: serving /pkg on ${pkgUrl} (the data plane)`);
  }
  if (adminTokenFile) console.log(`isopod: created an admin token in ${adminTokenFile} (mode 0600)`);
  else if (!config.adminToken) console.log(`isopod: admin token from first start is in ${host.layout.adminTokenFile}`);
  if (host.controlPipe) console.log(`isopod: control pipe at ${host.controlPipe.path} (mode 0600)`);
  console.log(`isopod: ready, ${host.packages.runningCount} package(s) running`);
  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    console.log(`isopod: ${signal}, shutting down`);
    await server.close();
    await resp?.close();
    await host.close();
    process.exit(0);
  };
  process.on("SIGINT", () => void shutdown("SIGINT"));
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
}
