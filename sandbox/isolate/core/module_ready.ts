// Knows when the package's module has finished evaluating, top-level awaits
// included: the host ends the module with a call to the function installed here.

/** The global the host's trailer calls (sandbox/package_isolate.ts appends `MODULE_TRAILER`). */
const NAME = "__isopodEvaluated";

export class ModuleReady {
  readonly promise: Promise<void>;

  constructor(global: Record<string, unknown>) {
    let resolve!: () => void;
    this.promise = new Promise<void>((done) => (resolve = done));
    Object.defineProperty(global, NAME, {
      value: () => {
        delete global[NAME];
        resolve();
      },
      writable: true,
      configurable: true,
      enumerable: false,
    });
  }
}
