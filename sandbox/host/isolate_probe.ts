// Reads what an isolate uses: CPU and wall time at once (isolated-vm keeps
// them without the isolate's lock), heap figures when the isolate is free.

import type { VmIsolate } from "./ivm.ts";
import type { IsolateSpec, IsolateStats } from "../sandbox.ts";

/**
 * How long a read waits for fresh heap figures. The heap can only be read
 * between tasks of the isolate, so a package in a long loop would otherwise
 * hold up `GET /v1/stats` until its wall-time limit.
 */
const HEAP_WAIT_MS = 100;
/** The first read has no figures to fall back on, so it waits longer. */
const FIRST_HEAP_WAIT_MS = 1_000;

type Heap = Pick<IsolateStats, "heapUsedBytes" | "heapTotalBytes" | "heapLimitBytes" | "externalBytes" | "heapAt">;

const nsToMs = (ns: bigint): number => Number(ns / 1000n) / 1000;

export class IsolateProbe {
  readonly #isolate: VmIsolate;
  readonly #spec: IsolateSpec;
  readonly #createdAt = Date.now();
  #heap: Heap;
  /** At most one heap read in flight: a busy isolate does not collect a queue of them. */
  #reading: Promise<void> | undefined;
  #waited = false;

  constructor(isolate: VmIsolate, spec: IsolateSpec) {
    this.#isolate = isolate;
    this.#spec = spec;
    const limit = spec.memoryMb * 1024 * 1024;
    this.#heap = { heapUsedBytes: 0, heapTotalBytes: 0, heapLimitBytes: limit, externalBytes: 0, heapAt: 0 };
  }

  /** The isolate's figures now; undefined when it is gone. */
  async read(): Promise<IsolateStats | undefined> {
    await this.#freshHeap();
    let cpu: bigint;
    let wall: bigint;
    try {
      cpu = this.#isolate.cpuTime;
      wall = this.#isolate.wallTime;
    } catch {
      return undefined; // disposed meanwhile
    }
    return {
      instanceId: this.#spec.instanceId,
      packageName: this.#spec.packageName,
      cpuMs: nsToMs(cpu),
      wallMs: nsToMs(wall),
      ...this.#heap,
      createdAt: this.#createdAt,
    };
  }

  #freshHeap(): Promise<void> {
    this.#reading ??= this.#isolate.heapStatistics().then(
      (heap) => {
        this.#heap = {
          heapUsedBytes: heap.used_heap_size,
          heapTotalBytes: heap.total_heap_size,
          heapLimitBytes: heap.heap_size_limit,
          externalBytes: heap.externally_allocated_size,
          heapAt: Date.now(),
        };
      },
      () => undefined,
    ).finally(() => (this.#reading = undefined));
    let timer: NodeJS.Timeout | undefined;
    const wait = this.#waited ? HEAP_WAIT_MS : FIRST_HEAP_WAIT_MS;
    this.#waited = true;
    const late = new Promise<void>((resolve) => (timer = setTimeout(resolve, wait)));
    return Promise.race([this.#reading, late]).finally(() => clearTimeout(timer));
  }
}
