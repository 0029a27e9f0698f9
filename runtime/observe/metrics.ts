// GET /metrics in the Prometheus text format, through prom-client (the only
// module that imports it): the host's statistics plus Node's process metrics.

import { collectDefaultMetrics, Counter, Gauge, Registry } from "prom-client";
import type { StatsSnapshot } from "./stats_collector.ts";

/** Node's own process metrics are per process, so one registry serves every host in it. */
let processRegistry: Registry | undefined;

function processMetrics(): Registry {
  if (!processRegistry) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry });
  }
  return processRegistry;
}

type Labels = "package" | "state" | "reason" | "resource" | "provider" | "quantile";

export class Metrics {
  readonly #registry = new Registry();
  readonly #collect: () => Promise<StatsSnapshot>;
  readonly #gauges = new Map<string, Gauge<Labels>>();
  readonly #counters = new Map<string, Counter<Labels>>();

  constructor(collect: () => Promise<StatsSnapshot>) {
    this.#collect = collect;
    processMetrics();
  }

  get contentType(): string {
    return this.#registry.contentType;
  }

  #gauge(name: string, help: string, labelNames: Labels[] = []): Gauge<Labels> {
    let gauge = this.#gauges.get(name);
    if (!gauge) {
      gauge = new Gauge({ name, help, labelNames, registers: [this.#registry] });
      this.#gauges.set(name, gauge);
    }
    return gauge;
  }

  #counter(name: string, help: string, labelNames: Labels[] = []): Counter<Labels> {
    let counter = this.#counters.get(name);
    if (!counter) {
      counter = new Counter({ name, help, labelNames, registers: [this.#registry] });
      this.#counters.set(name, counter);
    }
    return counter;
  }

  /** The metrics text: a fresh snapshot, written into the registry, then rendered. */
  async render(): Promise<string> {
    const snapshot = await this.#collect();
    // Packages that went away must not linger as stale series.
    this.#registry.resetMetrics();
    this.#host(snapshot);
    this.#packages(snapshot);
    this.#resources(snapshot);
    return `${await processMetrics().metrics()}\n${await this.#registry.metrics()}`;
  }

  #host({ host }: StatsSnapshot): void {
    this.#gauge("isopod_host_uptime_seconds", "Time since the host started.").set(host.uptimeMs / 1000);
    const packages = this.#gauge("isopod_packages", "Installed packages by state (running, failed, other).", ["state"]);
    packages.set({ state: "running" }, host.packages.running);
    packages.set({ state: "failed" }, host.packages.failed);
    packages.set({ state: "other" }, host.packages.installed - host.packages.running - host.packages.failed);
    this.#gauge("isopod_isolates", "Live isolates over all packages.").set(host.isolates);
    this.#gauge("isopod_log_followers", "Open log followers (SSE).").set(host.logFollowers);
  }

  #packages({ packages }: StatsSnapshot): void {
    const l = ["package"] as Labels[];
    const up = this.#gauge("isopod_package_up", "1 while the package is running, else 0.", l);
    const isolates = this.#gauge("isopod_package_isolates", "Live isolates of the package.", l);
    const cpu = this.#counter("isopod_package_cpu_seconds_total", "CPU time of the package's live isolates (resets when its isolate is replaced).", l);
    const heapUsed = this.#gauge("isopod_package_heap_used_bytes", "V8 heap in use by the package's isolates.", l);
    const heapLimit = this.#gauge("isopod_package_heap_limit_bytes", "Heap limit of the package's isolates.", l);
    const requests = this.#counter("isopod_package_requests_total", "/pkg requests answered since the host started.", l);
    const errors = this.#counter("isopod_package_request_errors_total", "/pkg requests answered with a status of 500 or more.", l);
    const restarts = this.#counter("isopod_package_restarts_total", "Automatic restarts since the host started.", l);
    const failures = this.#counter("isopod_package_failures_total", "Isolates that ended by themselves, by reason.", ["package", "reason"]);
    const uptime = this.#gauge("isopod_package_uptime_seconds", "Time since the running package's isolate was created.", l);
    const dropped = this.#counter("isopod_package_log_dropped_lines_total", "Console lines dropped over the rate limit.", l);
    for (const stats of packages) {
      const labels = { package: stats.name };
      up.set(labels, stats.state === "running" ? 1 : 0);
      isolates.set(labels, stats.isolates);
      cpu.inc(labels, stats.cpuMs / 1000);
      heapUsed.set(labels, stats.heapUsedBytes);
      heapLimit.set(labels, stats.heapLimitBytes);
      requests.inc(labels, stats.requests);
      errors.inc(labels, stats.errors);
      restarts.inc(labels, stats.restarts);
      for (const [reason, count] of Object.entries(stats.failuresByReason)) failures.inc({ ...labels, reason }, count);
      uptime.set(labels, stats.uptimeMs / 1000);
      dropped.inc(labels, stats.logDropped);
    }
  }

  #resources({ resources }: StatsSnapshot): void {
    const l = ["resource", "provider"] as Labels[];
    const calls = this.#counter("isopod_resource_calls_total", "Registry calls to the resource.", l);
    const errors = this.#counter("isopod_resource_errors_total", "Registry calls to the resource that failed.", l);
    const timeouts = this.#counter("isopod_resource_timeouts_total", "Registry calls to the resource that timed out.", l);
    const latency = this.#gauge("isopod_resource_latency_seconds", "Registry call latency, by quantile.", [...l, "quantile"]);
    for (const stats of resources) {
      const labels = { resource: stats.resource, provider: stats.provider };
      calls.inc(labels, stats.calls);
      errors.inc(labels, stats.errors);
      timeouts.inc(labels, stats.timeouts);
      if (stats.p50Ms !== null) latency.set({ ...labels, quantile: "0.5" }, stats.p50Ms / 1000);
      if (stats.p99Ms !== null) latency.set({ ...labels, quantile: "0.99" }, stats.p99Ms / 1000);
    }
  }
}
