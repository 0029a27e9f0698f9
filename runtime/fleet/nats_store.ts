// The fleet's engine on NATS JetStream: three key-value buckets, the only
// module that imports the NATS client (docs/decisions.md, "A fleet on NATS").

import { jetstream } from "@nats-io/jetstream";
import { Kvm, KvWatchInclude, type KV } from "@nats-io/kv";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { withDeadline } from "../../common/deadline.ts";
import { engineUnavailable, type Bucket, type EngineEntry, type FleetEngine } from "./engine.ts";

export interface NatsStoreOptions {
  /** `HOST:PORT` of the NATS server. */
  server: string;
  /** The URL as the operator gave it, for messages. */
  url: string;
  /** Lifetime of an entry in `members`: a host that stops renewing drops out after it. */
  leaseMs: number;
  /** Longest wait for one answer of the engine. */
  timeoutMs: number;
  /** The connection's name, as the server shows it. */
  name: string;
}

const BUCKETS: Record<Bucket, string> = { desired: "isopod_desired", members: "isopod_members", reports: "isopod_reports" };

/** Package names hold `@` and `/`, which NATS keys may not: keys are base64url. */
const keyOf = (key: string) => Buffer.from(key, "utf8").toString("base64url");
const keyFrom = (encoded: string) => Buffer.from(encoded, "base64url").toString("utf8");

function jsonOf(bytes: Uint8Array): unknown {
  try {
    return JSON.parse(Buffer.from(bytes).toString("utf8"));
  } catch {
    return undefined;
  }
}

export class NatsStore implements FleetEngine {
  readonly url: string;
  readonly #options: NatsStoreOptions;
  #connection: NatsConnection | undefined;
  #buckets: Partial<Record<Bucket, KV>> = {};
  #connected = false;
  #opening: Promise<void> | undefined;
  #closed = false;
  readonly #listeners: (() => void)[] = [];

  constructor(options: NatsStoreOptions) {
    this.url = options.url;
    this.#options = options;
  }

  get connected(): boolean {
    return this.#connected && !this.#closed;
  }

  async open(timeoutMs: number): Promise<void> {
    this.#opening ??= this.#connect();
    try {
      await withDeadline(this.#opening, timeoutMs);
    } catch (error) {
      throw engineUnavailable(this.url, error);
    }
  }

  onChange(listener: () => void): void {
    this.#listeners.push(listener);
  }

  async put(bucket: Bucket, key: string, value: unknown): Promise<number> {
    const kv = this.#bucket(bucket);
    return this.#answer(kv.put(keyOf(key), JSON.stringify(value)));
  }

  async entries(bucket: Bucket): Promise<EngineEntry[]> {
    const kv = this.#bucket(bucket);
    return this.#answer(
      (async () => {
        const keys: string[] = [];
        for await (const key of await kv.keys()) keys.push(key);
        const entries: EngineEntry[] = [];
        for (const key of keys) {
          const entry = await kv.get(key);
          if (entry && entry.operation === "PUT") entries.push({ key: keyFrom(key), value: jsonOf(entry.value), revision: entry.revision });
        }
        return entries;
      })(),
    );
  }

  async close(): Promise<void> {
    this.#closed = true;
    await this.#connection?.close().catch(() => undefined);
  }

  #bucket(bucket: Bucket): KV {
    const kv = this.#buckets[bucket];
    if (!kv || !this.connected) throw engineUnavailable(this.url);
    return kv;
  }

  /** Every answer of the engine is raced against the timeout; a failure is the engine's, named. */
  async #answer<T>(work: Promise<T>): Promise<T> {
    try {
      return await withDeadline(work, this.#options.timeoutMs);
    } catch (error) {
      throw engineUnavailable(this.url, error);
    }
  }

  async #connect(): Promise<void> {
    const connection = await connect({
      servers: this.#options.server,
      name: this.#options.name,
      waitOnFirstConnect: true,
      maxReconnectAttempts: -1,
      reconnectTimeWait: 250,
      // A partition shows no closed socket: two unanswered pings within the lease mark the engine gone.
      pingInterval: Math.max(200, Math.floor(this.#options.leaseMs / 4)),
      maxPingOut: 2,
      timeout: this.#options.timeoutMs,
    });
    if (this.#closed) {
      await connection.close();
      return;
    }
    this.#connection = connection;
    await this.#openBuckets(connection);
    this.#connected = true;
    void this.#follow(connection);
    void this.#watchDesired();
  }

  async #openBuckets(connection: NatsConnection): Promise<void> {
    const kvm = new Kvm(jetstream(connection, { timeout: this.#options.timeoutMs }));
    this.#buckets = {
      desired: await kvm.create(BUCKETS.desired, { history: 1 }),
      members: await kvm.create(BUCKETS.members, { history: 1, ttl: this.#options.leaseMs }),
      reports: await kvm.create(BUCKETS.reports, { history: 1 }),
    };
  }

  /** Tracks the connection: writes are refused while it is down; once back, buckets are reopened and listeners told. */
  async #follow(connection: NatsConnection): Promise<void> {
    for await (const status of connection.status()) {
      if (status.type === "disconnect") this.#connected = false;
      if (status.type === "reconnect") {
        // An engine that lost its data has no buckets: creating them again is harmless when they exist.
        await this.#openBuckets(connection).catch(() => undefined);
        this.#connected = true;
        void this.#watchDesired();
        this.#emit();
      }
    }
  }

  /** A change notice per write to `desired`; the reconciler re-reads the whole bucket anyway. */
  async #watchDesired(): Promise<void> {
    try {
      const watcher = await this.#bucket("desired").watch({ include: KvWatchInclude.UpdatesOnly });
      for await (const entry of watcher) {
        void entry;
        this.#emit();
        if (this.#closed) watcher.stop();
      }
    } catch {
      // The periodic pass covers a watch that ended with the connection.
    }
  }

  #emit(): void {
    for (const listener of this.#listeners) listener();
  }
}
