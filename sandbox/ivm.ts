// The only module that imports isolated-vm. Nothing it returns may reach
// package code: an isolated-vm object inside an isolate is a way out of it.

import ivm from "isolated-vm";

export type Isolate = ivm.Isolate;
export type Context = ivm.Context;
export type Reference<T = unknown> = ivm.Reference<T>;
export type Module = ivm.Module;

export function createIsolate(memoryMb: number, onCatastrophicError: (message: string) => void): Isolate {
  return new ivm.Isolate({ memoryLimit: Math.max(8, memoryMb), onCatastrophicError });
}

/** A host function the isolate can call; arguments and result are copied. */
export function callback(fn: (...args: never[]) => unknown, mode: "sync" | "ignored" | "async"): ivm.Callback {
  return new ivm.Callback(fn as (...args: unknown[]) => unknown, { [mode]: true });
}

/** A deep copy of plain data, to be handed to the isolate. */
export function copyOf(value: unknown): ivm.Copy<unknown> {
  return new ivm.ExternalCopy(value).copyInto({ release: true });
}
