// runtime/fleet/: a host in a fleet of hosts that share their desired state
// through an engine (NATS JetStream): docs/fleet.md.

export { Fleet, type FleetStatus } from "./fleet.ts";
export { fleetFromEnv, type FleetConfig } from "./fleet_config.ts";
export { FleetPackageManager, FLEET_ACTOR } from "./fleet_package_manager.ts";
export type { FleetHostView, FleetPackageView, FleetProblem, FleetView } from "./fleet_view.ts";
