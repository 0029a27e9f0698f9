// The first script in every isolate: takes the host bridge off the global
// object, installs the globals, and leaves the dispatcher for the host to pick up.

import type { HostBridge } from "./bridge.ts";
import { createConsole } from "./console.ts";
import { createDispatcher } from "./dispatch.ts";
import { Timers } from "./timers.ts";

const global = globalThis as unknown as Record<string, unknown>;
const bridge = global.__isopodBridge as HostBridge;
delete global.__isopodBridge;

const timers = new Timers(bridge);
timers.install(global);
global.console = createConsole(bridge);
// The host reads this once, right after this script, and deletes it before package code runs.
global.__isopodDispatch = createDispatcher(timers);
