// The fleet's settings, read from the environment: which engine holds the
// desired state (ISOPOD_FLEET), this host's name in it, and the lease timings.

export interface FleetConfig {
  /** The engine, as given: `nats://HOST:PORT` (NATS JetStream). `ISOPOD_FLEET`; unset: no fleet. */
  url: string;
  /** `HOST:PORT` of the engine, taken from `url`. */
  server: string;
  /** This host's name in the fleet. `ISOPOD_FLEET_HOST_ID`, default: one made at first start and kept in the data folder. */
  hostId: string | undefined;
  /** The address other hosts and operators reach this host at. `ISOPOD_FLEET_ADDRESS`, default: the URL it serves. */
  address: string | undefined;
  /** A host that has not renewed its lease for this long is out of the fleet. `ISOPOD_FLEET_LEASE_MS`, default 10000. */
  leaseMs: number;
  /** How often the host re-reads the desired state even without a change notice. `ISOPOD_FLEET_SYNC_MS`, default 5000. */
  syncMs: number;
  /** Longest wait for one answer of the engine. `ISOPOD_FLEET_TIMEOUT_MS`, default 3000. */
  timeoutMs: number;
  /** How long boot waits for the engine before serving what it has. `ISOPOD_FLEET_JOIN_MS`, default 15000. */
  joinMs: number;
  /** A package that failed on this host is tried again after this long. `ISOPOD_FLEET_RETRY_MS`, default 30000. */
  retryMs: number;
}

type Env = Record<string, string | undefined>;

const HOST_ID = /^[A-Za-z0-9_-]{1,64}$/;

function msFrom(env: Env, key: string, fallback: number): number {
  const raw = env[key];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 100) {
    throw new Error(`invalid configuration: ${key}=${JSON.stringify(raw)} must be a whole number of milliseconds, at least 100`);
  }
  return value;
}

/** The engine's `HOST:PORT` from `nats://HOST:PORT`; other forms are refused with the reason. */
export function engineServerOf(url: string): string {
  const match = /^nats:\/\/([A-Za-z0-9.-]+|\[[0-9A-Fa-f:]+\]):(\d{1,5})\/?$/.exec(url);
  if (url.startsWith("etcd://")) {
    throw new Error(`invalid configuration: ISOPOD_FLEET=${JSON.stringify(url)}: this host speaks to NATS JetStream only (nats://HOST:PORT); see docs/fleet.md`);
  }
  if (!match || Number(match[2]) > 65535) {
    throw new Error(`invalid configuration: ISOPOD_FLEET=${JSON.stringify(url)} is not nats://HOST:PORT`);
  }
  return `${match[1]}:${match[2]}`;
}

/** The fleet's settings, or undefined when `ISOPOD_FLEET` is unset (a host alone). */
export function fleetFromEnv(env: Env): FleetConfig | undefined {
  const url = env.ISOPOD_FLEET;
  if (url === undefined || url === "") return undefined;
  const hostId = env.ISOPOD_FLEET_HOST_ID || undefined;
  if (hostId !== undefined && !HOST_ID.test(hostId)) {
    throw new Error(`invalid configuration: ISOPOD_FLEET_HOST_ID=${JSON.stringify(hostId)} must match ${HOST_ID.source}`);
  }
  return {
    url,
    server: engineServerOf(url),
    hostId,
    address: env.ISOPOD_FLEET_ADDRESS || undefined,
    leaseMs: msFrom(env, "ISOPOD_FLEET_LEASE_MS", 10_000),
    syncMs: msFrom(env, "ISOPOD_FLEET_SYNC_MS", 5_000),
    timeoutMs: msFrom(env, "ISOPOD_FLEET_TIMEOUT_MS", 3_000),
    joinMs: msFrom(env, "ISOPOD_FLEET_JOIN_MS", 15_000),
    retryMs: msFrom(env, "ISOPOD_FLEET_RETRY_MS", 30_000),
  };
}

export { HOST_ID };
