// A host's part in a fleet: it joins (connects, reconciles once, then says it
// is ready), renews its lease, and reconciles on every change and every sync interval.

import type { DataLayout } from "../layout.ts";
import { DesiredState } from "./desired_state.ts";
import { engineUnavailable, type FleetEngine } from "./engine.ts";
import type { FleetConfig } from "./fleet_config.ts";
import type { FleetPackageManager } from "./fleet_package_manager.ts";
import { fleetViewOf, type FleetView } from "./fleet_view.ts";
import { hostIdOf } from "./host_id.ts";
import { Membership } from "./membership.ts";
import { NatsStore } from "./nats_store.ts";
import { Outcomes } from "./outcomes.ts";
import { Reconciler } from "./reconciler.ts";

export interface FleetStatus {
  hostId: string;
  engine: string;
  connected: boolean;
  /** Reconciled to the desired state since it joined. */
  ready: boolean;
}

export class Fleet {
  readonly hostId: string;
  readonly engine: FleetEngine;
  readonly #config: FleetConfig;
  readonly #packages: FleetPackageManager;
  readonly #log: (line: string) => void;
  readonly #desired: DesiredState;
  readonly #outcomes = new Outcomes();
  readonly #reconciler: Reconciler;
  readonly #membership: Membership;
  readonly #startedAt = Date.now();
  #address = "";
  #ready = false;
  #busy = 0;
  #timer: NodeJS.Timeout | undefined;
  #passing: Promise<void> | undefined;
  #again = false;
  #closed = false;
  #engineDown = false;

  constructor(config: FleetConfig, options: { layout: DataLayout; packages: FleetPackageManager; log: (line: string) => void }) {
    this.#config = config;
    this.#packages = options.packages;
    this.#log = options.log;
    this.hostId = hostIdOf(config.hostId, options.layout.fleetHostIdFile);
    this.engine = new NatsStore({ server: config.server, url: config.url, leaseMs: config.leaseMs, timeoutMs: config.timeoutMs, name: `isopod ${this.hostId}` });
    this.#desired = new DesiredState(this.engine, this.hostId, this.#log);
    this.#reconciler = new Reconciler({ packages: this.#packages, desired: this.#desired, outcomes: this.#outcomes, retryMs: config.retryMs, log: this.#log });
    this.#membership = new Membership(this.engine, {
      hostId: this.hostId,
      leaseMs: config.leaseMs,
      startedAt: this.#startedAt,
      report: () => ({ address: this.#address, ready: this.#ready, records: this.#packages.list(), desired: this.#reconciler.desired, outcomes: this.#outcomes }),
    });
    this.#packages.attach({ desired: this.#desired, outcomes: this.#outcomes, busy: (delta) => this.#setBusy(delta) });
  }

  /**
   * At boot, after the host brought back its own packages: connects (within the join
   * timeout), reconciles once, then renews its lease as ready. An engine that cannot
   * be reached leaves the host serving what it has, and trying again.
   */
  async join(address: string): Promise<void> {
    this.#address = this.#config.address ?? address;
    this.engine.onChange(() => this.kick());
    try {
      await this.engine.open(this.#config.joinMs);
      this.kick();
      await this.#passing;
    } catch {
      this.#log(`fleet: ${this.engine.url} cannot be reached; serving what this host has until it is back`);
    }
    this.#log(`fleet: host "${this.hostId}" ${this.#ready ? "joined" : "waiting to join"} ${this.engine.url}`);
    this.#membership.start();
    this.#timer = setInterval(() => this.kick(), this.#config.syncMs);
    await this.#membership.beat();
  }

  status(): FleetStatus {
    return { hostId: this.hostId, engine: this.engine.url, connected: this.engine.connected, ready: this.#ready };
  }

  /** Every host and every fleet package on each: 503 naming the engine while it cannot be reached. */
  view(): Promise<FleetView> {
    if (!this.engine.connected) throw engineUnavailable(this.engine.url);
    return fleetViewOf(this.engine, this.#desired, this.hostId);
  }

  /** Asks for a pass: one runs at a time; one asked for meanwhile runs after it; none while an operator's operation is under way here. */
  kick(): void {
    if (this.#closed) return;
    if (this.#passing) {
      this.#again = true;
      return;
    }
    this.#passing = this.#loop().finally(() => (this.#passing = undefined));
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearInterval(this.#timer);
    await this.#passing;
    await this.#membership.stop();
    await this.engine.close();
  }

  async #loop(): Promise<void> {
    do {
      this.#again = false;
      if (this.#busy > 0) return; // the operation's end asks again
      await this.#pass();
    } while (this.#again && !this.#closed);
  }

  async #pass(): Promise<void> {
    try {
      await this.#reconciler.pass();
      if (this.#engineDown) this.#log(`fleet: ${this.engine.url} is back; reconciled`);
      this.#engineDown = false;
      const joined = !this.#ready;
      this.#ready = true;
      if (joined) await this.#membership.beat();
    } catch (error) {
      // Nothing is touched while the desired state cannot be read: the host runs what it runs.
      if (!this.#engineDown) this.#log(`fleet: cannot read the desired state: ${(error as Error).message}`);
      this.#engineDown = true;
    }
  }

  #setBusy(delta: 1 | -1): void {
    this.#busy += delta;
    if (this.#busy === 0) this.kick();
  }
}
