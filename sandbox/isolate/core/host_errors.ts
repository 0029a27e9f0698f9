// Turns the host's plain error messages into the classes package code
// expects: Deno.errors.* for files, fetch and permissions, built-ins otherwise.

import type { ErrorMessage, HostResult } from "./bridge.ts";
import { DOMException } from "../web/dom_exception.ts";

/** The Deno 2 error classes (a subset): each is an Error subclass named as in Deno. */
type ErrorClass = new (message?: string) => Error;

function errorClass(name: string): ErrorClass {
  const cls = class extends Error {};
  Object.defineProperty(cls, "name", { value: name });
  Object.defineProperty(cls.prototype, "name", { value: name, writable: true, configurable: true });
  return cls;
}

const NAMES = [
  "NotCapable",
  "PermissionDenied",
  "NotFound",
  "AlreadyExists",
  "InvalidData",
  "TimedOut",
  "Interrupted",
  "IsADirectory",
  "NotADirectory",
  "ConnectionRefused",
  "ConnectionReset",
  "BadResource",
  "Http",
  "Busy",
  "NotSupported",
] as const;

export const denoErrors: Record<(typeof NAMES)[number], ErrorClass> = Object.fromEntries(
  NAMES.map((name) => [name, errorClass(name)]),
) as Record<(typeof NAMES)[number], ErrorClass>;

const BUILT_IN: Record<string, new (message: string) => Error> = {
  TypeError,
  RangeError,
  SyntaxError,
  Error,
};

export function errorFrom(error: ErrorMessage): Error {
  const deno = (denoErrors as Record<string, ErrorClass>)[error.name];
  if (deno) return new deno(error.message);
  if (error.name === "AbortError" || error.name === "TimeoutError") return new DOMException(error.message, error.name);
  return new (BUILT_IN[error.name] ?? Error)(error.message);
}

/** The value of a host result, or its error thrown as the matching class. */
export function unwrap(result: HostResult): unknown {
  if (result.ok) return result.value;
  throw errorFrom(result.error);
}
