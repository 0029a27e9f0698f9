// `isopod fleet ls`: the hosts of the fleet (address, liveness) and each
// package's state and version on each host, with every failure in one list.

import type { Command } from "commander";
import { contextOf } from "../context.ts";
import { table, timeText } from "../output.ts";

interface PackageOnHost {
  state: string;
  version: string | null;
  integrity: string | null;
  live: boolean;
}

interface FleetAnswer {
  engine: { url: string; connected: boolean };
  self: string;
  hosts: { id: string; address: string; live: boolean; ready: boolean; lastSeen: number }[];
  packages: { name: string; desired: { state: string; version: string; integrity: string }; hosts: Record<string, PackageOnHost> }[];
  problems: { host: string; package: string; operation: string; error: { code: string; message: string } }[];
}

const short = (integrity: string | null) => (integrity ?? "").replace(/^sha256-/, "").slice(0, 10);

function render(answer: FleetAnswer): string[] {
  const hosts = table(
    ["host", "address", "live", "ready", "last seen"],
    answer.hosts.map((h) => [h.id + (h.id === answer.self ? " (this)" : ""), h.address, h.live ? "yes" : "GONE", h.ready ? "yes" : "no", timeText(h.lastSeen)]),
  );
  const rows = answer.packages.flatMap((p) =>
    answer.hosts.map((h) => {
      const on = p.hosts[h.id];
      const same = on?.integrity === p.desired.integrity ? "" : " (differs)";
      return [p.name, `${p.desired.state} ${p.desired.version}`, h.id, on ? on.state : "-", on ? `${on.version ?? "-"} ${short(on.integrity)}${same}` : "-"];
    }),
  );
  const packages = rows.length > 0 ? table(["package", "desired", "host", "state", "version"], rows) : "no fleet packages";
  const problems = answer.problems.map((p) => `${p.host}: ${p.operation} of "${p.package}" failed: ${p.error.message}`);
  return [`engine ${answer.engine.url}`, hosts, "", packages, ...(problems.length > 0 ? ["", "problems:", ...problems] : [])];
}

export function registerFleetCommands(program: Command): void {
  const fleet = program.command("fleet").description("the fleet this host belongs to (ISOPOD_FLEET on the host)");
  fleet
    .command("ls")
    .alias("list")
    .description("every host with its address and liveness, and each package's state and version on each host")
    .action(async (_options: unknown, command: Command) => {
      const ctx = contextOf(command);
      const answer = await ctx.client.call<FleetAnswer>("GET", "/v1/fleet");
      ctx.out.result(answer, () => render(answer));
    });
}
