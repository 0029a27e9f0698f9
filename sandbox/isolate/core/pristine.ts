// The global object and intrinsics as the runtime left them at the end of `boot`, before any package code:
// what a module evaluated on first use (web/lazy.ts) or a part run on demand (web/parts.ts) reads instead of
// whatever the package has put there since. One record for both.

import { PART_GLOBALS } from "./part_globals.ts";

/**
 * The globals a lazy module reads, found by reading web-streams-polyfill: the
 * bundler (sandbox/host/pristine_globals.ts) makes its free `globalThis`,
 * `Promise`, `queueMicrotask`... constants read from `pristineGlobal` as the
 * module is evaluated, so they are the runtime's own whenever the module reads them.
 */
export const PRISTINE_NAMES = [
  "Promise", "queueMicrotask", "structuredClone", "AbortController", "DOMException", "Object", "Symbol", "Number", "Math",
  "TypeError", "RangeError", "Error", "Function", "ArrayBuffer", "Uint8Array", "DataView", "Boolean", "String",
] as const;

/**
 * The globals of PRISTINE_NAMES and PART_GLOBALS as `boot` left them (data
 * properties only: a lazy global's getter is not run, its caller hands it over);
 * it also stands for `globalThis` in a lazy module.
 */
export const pristineGlobal: Record<string, unknown> = Object.create(null) as Record<string, unknown>;

/**
 * Members of shared intrinsics that a lazy module reads once while it is
 * evaluated and keeps (web-streams-polyfill's top level takes these): a binding
 * cannot stand for them, since the package can reach the same objects.
 */
const CAPTURED: ReadonlyArray<readonly [string, object, PropertyKey]> = [
  ["Promise.resolve", Promise, "resolve"],
  ["Promise.reject", Promise, "reject"],
  ["Promise.prototype.then", Promise.prototype, "then"],
  ["Number.isFinite", Number, "isFinite"],
  ["Number.isNaN", Number, "isNaN"],
  ["Math.trunc", Math, "trunc"],
];

let recorded: PropertyDescriptor[] | undefined;

/** Takes the record; called once, by `boot`, after it installed the globals. */
export function recordPristine(): void {
  for (const name of new Set<string>([...PRISTINE_NAMES, ...PART_GLOBALS])) {
    const descriptor = Object.getOwnPropertyDescriptor(globalThis, name);
    if (descriptor && Object.hasOwn(descriptor, "value")) pristineGlobal[name] = descriptor.value;
  }
  Object.freeze(pristineGlobal);
  recorded = CAPTURED.map(([, target, key]) => Object.getOwnPropertyDescriptor(target, key)!);
}

/**
 * Runs `evaluate` (a lazy module's first evaluation) with the captured members
 * as recorded, then puts back what the package had put in their place. A member
 * the package replaced and made unchangeable fails the load, by name.
 */
export function withPristineIntrinsics<T>(evaluate: () => T): T {
  if (!recorded) throw new Error("the runtime's intrinsics were not recorded before a lazy module loaded");
  const swapped: Array<readonly [object, PropertyKey, PropertyDescriptor | undefined]> = [];
  try {
    CAPTURED.forEach(([name, target, key], index) => {
      const now = Object.getOwnPropertyDescriptor(target, key);
      const original = recorded![index]!;
      if (now && !("get" in now) && !("set" in now) && now.value === original.value) return;
      if (!Reflect.defineProperty(target, key, original)) {
        throw new TypeError(`${name} was replaced and made unchangeable by the package: the runtime cannot load its own code against it`);
      }
      swapped.push([target, key, now]);
    });
    return evaluate();
  } finally {
    for (const [target, key, now] of swapped.reverse()) {
      if (now) Reflect.defineProperty(target, key, now);
      else Reflect.deleteProperty(target, key);
    }
  }
}
