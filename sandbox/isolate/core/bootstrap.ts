// The first script in every isolate, in two phases: running it evaluates the
// runtime's modules and touches no host object; `boot(bridge)`, called by the host
// with its callbacks, installs the web platform and Deno globals and returns the dispatcher.

import { TextDecoder, TextDecoderStream, TextEncoder, TextEncoderStream } from "@exodus/bytes/encoding-lite.js";
import { Event, EventTarget } from "event-target-shim";
import { AbortController, AbortSignal } from "../web/abort.ts";
import { atob, btoa } from "../web/base64.ts";
import type { HostBridge } from "./bridge.ts";
import { createConsole } from "./console.ts";
import { createCrypto } from "../web/crypto.ts";
import { createDeno } from "../deno/deno.ts";
import { createDispatcher } from "./dispatch.ts";
import { DOMException } from "../web/dom_exception.ts";
import { createFetch } from "../web/fetch.ts";
import { createPerformance, createStructuredClone, queueMicrotask } from "../web/globals.ts";
import { Headers } from "../web/headers.ts";
import { HostCalls, type CallStart } from "./host_calls.ts";
import { RegistryClient } from "../registry/registry.ts";
import type { RegistryBridge } from "../registry/registry_wire.ts";
import { Request } from "../web/request.ts";
import { Response } from "../web/response.ts";
import { Server } from "./serve.ts";
import { ModuleReady } from "./module_ready.ts";
import { installImportMeta } from "./import_meta.ts";
import { ServeRegistry } from "../deno/serve.ts";
import { Timers } from "./timers.ts";
import { installURL } from "../web/url.ts";
import { CustomEvent } from "../web/custom_event.ts";
import { formsModule, patternsModule, streamsModule } from "../web/lazy.ts";
import { recordPristine } from "./pristine.ts";
import type * as Streams from "web-streams-polyfill";
import { prepareParts } from "../web/parts.ts";

const global = globalThis as unknown as Record<string, unknown>;

/** web-streams-polyfill's exports, each a global that loads the module on first access. */
const STREAM_NAMES: ReadonlyArray<keyof typeof Streams> = [
  "ReadableStream", "ReadableStreamDefaultReader", "ReadableStreamBYOBReader", "ReadableStreamBYOBRequest", "ReadableByteStreamController",
  "ReadableStreamDefaultController", "WritableStream", "WritableStreamDefaultWriter", "WritableStreamDefaultController",
  "TransformStream", "TransformStreamDefaultController", "ByteLengthQueuingStrategy", "CountQueuingStrategy",
];

/** The host's callbacks as it passes them to `boot` (sandbox/host/ivm.ts), by the names of `BRIDGE_NAMES`. */
type RawBridge = Omit<HostBridge, "call"> & { callStart: CallStart; rootUrl: string; loadPart(name: string): boolean } & RegistryBridge;

/** Installs a global as WebIDL does: writable, configurable, not enumerable. */
function define(name: string, value: unknown): void {
  Object.defineProperty(global, name, { value, writable: true, configurable: true, enumerable: false });
}

/** A global whose module loads on first access (web/lazy.ts), then a plain global as above. */
function defineLazy(name: string, load: () => unknown): void {
  Object.defineProperty(global, name, {
    get: () => {
      const value = load();
      define(name, value);
      return value;
    },
    set: (value: unknown) => define(name, value),
    configurable: true,
    enumerable: false,
  });
}

/** Phase two: binds the host's callbacks and installs the globals; runs once, before any package code. */
function boot(raw: RawBridge): ReturnType<typeof createDispatcher> {
  const calls = new HostCalls(raw.callStart);
  const bridge: HostBridge = { ...raw, call: (op, args) => calls.call(op, args) };
  const timers = new Timers(bridge);
  timers.install(global);
  define("console", createConsole(bridge));
  define("queueMicrotask", queueMicrotask);
  define("DOMException", DOMException);
  define("TextEncoder", TextEncoder);
  define("TextDecoder", TextDecoder);
  define("TextEncoderStream", TextEncoderStream);
  define("TextDecoderStream", TextDecoderStream);
  installURL(global);
  define("Event", Event);
  define("EventTarget", EventTarget);
  define("CustomEvent", CustomEvent);
  defineLazy("Blob", () => formsModule().Blob);
  defineLazy("File", () => formsModule().File);
  defineLazy("FormData", () => formsModule().FormData);
  defineLazy("URLPattern", () => patternsModule().URLPattern);
  define("AbortController", AbortController);
  define("AbortSignal", AbortSignal);
  for (const name of STREAM_NAMES) defineLazy(name, () => streamsModule()[name]);
  define("atob", atob);
  define("btoa", btoa);
  define("crypto", createCrypto(bridge));
  define("structuredClone", createStructuredClone(bridge));
  define("performance", createPerformance(bridge));
  define("Headers", Headers);
  define("Request", Request);
  define("Response", Response);
  define("fetch", createFetch(bridge));
  const serves = new ServeRegistry();
  define("Deno", createDeno(bridge, (first, second) => serves.serve(first, second)));
  define("self", globalThis);
  installImportMeta(global, raw.rootUrl);
  // Last, with every global installed: what the lazy modules (web/lazy.ts) and
  // the parts loaded on demand (web/parts.ts) see of them.
  recordPristine();
  prepareParts((name) => raw.loadPart(name));
  return createDispatcher(timers, new Server(bridge, serves), calls, new RegistryClient(raw), {
    ready: new ModuleReady(global),
    serves,
  });
}

// The host takes this off the global object as it calls it (sandbox/host/ivm.ts), before any package code exists.
Object.defineProperty(global, "__isopodBoot", { value: boot, writable: true, configurable: true, enumerable: false });
