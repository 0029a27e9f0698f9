// The engine that holds the fleet's shared state, as the rest of the fleet
// code sees it: three key-value buckets, with one implementation (nats_store.ts).

import { IsopodError } from "../errors.ts";

/** `desired`: one key per package; `members`: one key per live host, gone after its lease; `reports`: each host's last report. */
export type Bucket = "desired" | "members" | "reports";

export interface EngineEntry {
  key: string;
  /** The parsed JSON value; `undefined` when the stored bytes are not JSON (validated by the caller anyway). */
  value: unknown;
  /** The engine's revision of this entry: it grows with every write to the bucket. */
  revision: number;
}

export interface FleetEngine {
  /** The engine's URL, for messages. */
  readonly url: string;
  /** True while the engine answers; writes are refused while it is false. */
  readonly connected: boolean;
  /** Connects and opens the buckets; resolves once connected, rejects after `timeoutMs` (the connection keeps trying). */
  open(timeoutMs: number): Promise<void>;
  /** Calls `listener` when the desired state changes, and when the engine is back after an outage. */
  onChange(listener: () => void): void;
  put(bucket: Bucket, key: string, value: unknown): Promise<number>;
  entries(bucket: Bucket): Promise<EngineEntry[]>;
  close(): Promise<void>;
}

/** What a fleet write answers while the engine cannot be reached: 503, naming it, nothing changed. */
export function engineUnavailable(url: string, cause?: unknown): IsopodError {
  return new IsopodError(
    "engine_unavailable",
    `the fleet's engine ${url} cannot be reached; nothing was changed, try again when it is back`,
    { engine: url },
    { cause },
  );
}
