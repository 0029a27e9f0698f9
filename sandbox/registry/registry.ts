// The capability-limited registry of one sandbox: packages publish resources
// as `<package>/<name>`, and only packages that declare the provider in
// `isopod.dependencies` may use them. Calls between isolates of this process
// never leave it; arguments, results and errors cross as plain copies.

import { isPackageName, isResourceName } from "../../common/names.ts";
import { CloneBoundError, measureClone } from "../isolate/core/clone_size.ts";
import type { HostResult } from "../isolate/core/bridge.ts";
import { REGISTRY_LIMITS, type RegistryErrorMessage } from "../isolate/registry/registry_wire.ts";
import { boundRefusal, RegistryCalls, registryError, sanitized, type Member, type RegistryPeer } from "./registry_calls.ts";
import { RegistryStats } from "./registry_stats.ts";
import type { IsolateSpec, ResourceInfo } from "../sandbox.ts";

/** Resources one package may provide at once. */
const MAX_RESOURCES_PER_PACKAGE = 1000;
const MAX_METHODS = 256;
/** Calls one isolate may have waiting for answers, and calls one isolate may be serving. */
const MAX_OUTGOING = 1024;
const MAX_SERVING = 1024;
const METHOD_NAME = /^[A-Za-z_$][A-Za-z0-9_$]{0,127}$/;

/** What an isolate's bridge calls; every argument comes from untrusted code. */
export interface RegistryPort {
  sync(op: unknown, args: unknown): HostResult;
  call(id: unknown, pkg: unknown, name: unknown, method: unknown, args: unknown, depth: unknown): HostResult;
  answer(id: unknown, outcome: unknown): HostResult;
}

interface Resource {
  readonly provider: Member;
  readonly name: string;
  readonly methods: ReadonlySet<string>;
  readonly providedAt: number;
}

class Refusal extends Error {
  readonly error: RegistryErrorMessage;
  constructor(error: RegistryErrorMessage) {
    super(error.message);
    this.error = error;
  }
}

const refuse = (name: string, message: string, code?: RegistryErrorMessage["code"]): Refusal =>
  new Refusal({ name, message, ...(code && { code }) });

function text(value: unknown, what: string): string {
  if (typeof value !== "string") throw refuse("TypeError", `${what} must be a string`);
  return value;
}

const OK: HostResult = { ok: true, value: undefined };

export class Registry {
  readonly #members = new Map<string, Member>();
  readonly #byPackage = new Map<string, Set<Member>>();
  readonly #resources = new Map<string, Resource>();
  readonly #stats = new RegistryStats((resource) => this.#resources.has(resource));
  readonly #calls = new RegistryCalls(this.#stats);

  /** Enters an isolate that is being loaded; its bridge talks to the port it gets. */
  join(spec: IsolateSpec): RegistryPort {
    const member: Member = {
      instanceId: spec.instanceId,
      packageName: spec.packageName,
      dependencies: new Set(spec.dependencies ?? []),
      timeoutMs: spec.timeoutMs,
      peer: undefined,
      started: false,
      provided: new Set(),
      outgoing: 0,
      serving: new Map(),
    };
    this.#members.set(spec.instanceId, member);
    let packageMembers = this.#byPackage.get(spec.packageName);
    if (!packageMembers) this.#byPackage.set(spec.packageName, (packageMembers = new Set()));
    packageMembers.add(member);
    return this.#portOf(member);
  }

  /** The isolate is loaded: calls can reach it now. */
  attach(instanceId: string, peer: RegistryPeer): void {
    const member = this.#members.get(instanceId);
    if (member) member.peer = peer;
  }

  /** Its `start` hook finished. */
  started(instanceId: string): void {
    const member = this.#members.get(instanceId);
    if (member) member.started = true;
  }

  /** The isolate is gone (`why`: "disposed", or the reason it failed): its resources are withdrawn, calls into it reject. */
  leave(instanceId: string, why: string): void {
    const member = this.#members.get(instanceId);
    if (!member) return;
    this.#members.delete(instanceId);
    this.#byPackage.get(member.packageName)?.delete(member);
    if (this.#byPackage.get(member.packageName)?.size === 0) this.#byPackage.delete(member.packageName);
    for (const name of member.provided) this.#resources.delete(`${member.packageName}/${name}`);
    member.peer = undefined;
    this.#calls.providerLeft(member, why);
  }

  /** Every resource provided now, with its counters. */
  list(): ResourceInfo[] {
    return [...this.#resources].map(([resource, { provider, name, methods, providedAt }]) => ({
      resource,
      provider: provider.packageName,
      name,
      methods: [...methods],
      providedAt,
      ...this.#stats.figures(resource),
    }));
  }

  #portOf(member: Member): RegistryPort {
    const guarded = (work: () => HostResult): HostResult => {
      try {
        return work();
      } catch (error) {
        if (error instanceof Refusal) return { ok: false, error: error.error };
        throw error;
      }
    };
    return {
      sync: (op, args) =>
        guarded(() => {
          const list = Array.isArray(args) ? (args as unknown[]) : [];
          if (op === "provide") return this.#provide(member, list[0], list[1]);
          if (op === "use") return { ok: true, value: { methods: [...this.#find(member, list[0], list[1]).methods] } };
          throw refuse("TypeError", `unknown registry operation "${String(op)}"`);
        }),
      call: (id, pkg, name, method, args, depth) => guarded(() => this.#call(member, { id, pkg, name, method, args, depth })),
      answer: (id, outcome) => guarded(() => this.#answer(member, id, outcome)),
    };
  }

  #provide(member: Member, nameIn: unknown, methodsIn: unknown): HostResult {
    const name = text(nameIn, "a resource name");
    const pkg = member.packageName;
    if (!isResourceName(name)) throw refuse("TypeError", `cannot provide "${name.slice(0, 140)}": a resource name must match ^[A-Za-z0-9._-]{1,128}$`);
    const methods = Array.isArray(methodsIn) ? (methodsIn as unknown[]) : [];
    if (methods.length === 0) throw refuse("TypeError", `cannot provide "${name}": it has no methods`);
    if (methods.length > MAX_METHODS) throw refuse("RangeError", `cannot provide "${name}": ${methods.length} methods, more than ${MAX_METHODS}`);
    if (!methods.every((m) => typeof m === "string" && METHOD_NAME.test(m) && m !== "then")) {
      throw refuse("TypeError", `cannot provide "${name}": method names must be identifiers other than "then"`);
    }
    if (this.#resources.has(`${pkg}/${name}`)) throw refuse("AlreadyExists", `cannot provide "${name}": "${pkg}" already provides "${pkg}/${name}"`);
    const count = [...(this.#byPackage.get(pkg) ?? [])].reduce((sum, m) => sum + m.provided.size, 0);
    if (count >= MAX_RESOURCES_PER_PACKAGE) {
      throw refuse("RangeError", `cannot provide "${name}": "${pkg}" already provides ${count} resources, the most one package may`);
    }
    member.provided.add(name);
    this.#resources.set(`${pkg}/${name}`, { provider: member, name, methods: new Set(methods as string[]), providedAt: Date.now() });
    return OK;
  }

  /** The resource `pkg/name` for a caller that may use it; refused when it may not, or when there is none. */
  #find(member: Member, pkgIn: unknown, nameIn: unknown): Resource {
    const pkg = text(pkgIn, "a package name");
    const name = text(nameIn, "a resource name");
    if (!isPackageName(pkg) || !isResourceName(name)) throw refuse("TypeError", `"${pkg.slice(0, 220)}/${name.slice(0, 140)}" is not a valid resource`);
    if (!member.dependencies.has(pkg)) {
      throw refuse(
        "NotCapable",
        `package "${member.packageName}" cannot use "${pkg}/${name}": "${pkg}" is not in the isopod.dependencies of "${member.packageName}"`,
        "not_capable",
      );
    }
    const resource = this.#resources.get(`${pkg}/${name}`);
    if (resource) return resource;
    const providers = [...(this.#byPackage.get(pkg) ?? [])];
    if (!providers.some((m) => m.started)) {
      throw refuse("ConnectionRefused", `cannot use "${pkg}/${name}": provider "${pkg}" is not running`, "provider_not_running");
    }
    const names = providers.flatMap((m) => [...m.provided]).sort();
    const shown = names.length === 0 ? "none" : names.slice(0, 10).join(", ") + (names.length > 10 ? ", ..." : "");
    throw refuse("NotFound", `"${pkg}" provides no resource "${name}" (it provides: ${shown})`, "resource_not_found");
  }

  /** As #find; a refusal for a resource that has counters (its provider is down) is counted. */
  #findForCall(member: Member, pkg: unknown, name: unknown): Resource {
    try {
      return this.#find(member, pkg, name);
    } catch (error) {
      if (error instanceof Refusal && typeof pkg === "string" && typeof name === "string") this.#calls.refused(`${pkg}/${name}`, error.error, false);
      throw error;
    }
  }

  #call(member: Member, call: Record<"id" | "pkg" | "name" | "method" | "args" | "depth", unknown>): HostResult {
    const { id, depth, args } = call;
    if (!Number.isSafeInteger(id) || !Number.isSafeInteger(depth) || !Array.isArray(args)) throw refuse("TypeError", "malformed registry call");
    const resource = this.#findForCall(member, call.pkg, call.name);
    const method = text(call.method, "a method name");
    const key = `${resource.provider.packageName}/${resource.name}`;
    const label = `"${key}".${method.slice(0, 140)}()`;
    const refused = (error: RegistryErrorMessage): HostResult => this.#calls.refused(key, error) as HostResult;
    if (!resource.methods.has(method)) return refused(registryError("NotFound", "method_not_found", `"${key}" has no method "${method.slice(0, 140)}"`));
    if ((depth as number) > REGISTRY_LIMITS.maxDepth) {
      return refused(registryError("RangeError", "depth_exceeded", `${label}: registry calls nested more than ${REGISTRY_LIMITS.maxDepth} deep`));
    }
    if (member.outgoing >= MAX_OUTGOING) return refused(registryError("Busy", "busy", `${label}: this package has ${MAX_OUTGOING} registry calls waiting already`));
    const provider = resource.provider;
    if (provider.serving.size >= MAX_SERVING) return refused(registryError("Busy", "busy", `${label}: the provider is serving ${MAX_SERVING} calls already`));
    try {
      measureClone(args, REGISTRY_LIMITS);
    } catch (error) {
      if (!(error instanceof CloneBoundError)) throw error;
      return refused(boundRefusal(error, `the arguments of ${label}`));
    }
    if (!provider.peer) return refused(registryError("ConnectionRefused", "provider_not_running", `${label}: provider "${provider.packageName}" is not running`));
    const outcome = this.#calls.start(member, id as number, provider, { resource: resource.name, method, args: args as unknown[], depth: depth as number, label });
    return { ok: true, value: outcome };
  }

  #answer(member: Member, id: unknown, outcomeIn: unknown): HostResult {
    if (!Number.isSafeInteger(id) || outcomeIn === null || typeof outcomeIn !== "object") throw refuse("TypeError", "malformed registry answer");
    const { ok, value, error } = outcomeIn as { ok?: unknown; value?: unknown; error?: unknown };
    if (ok !== true && ok !== false) throw refuse("TypeError", "malformed registry answer");
    this.#calls.answer(member, id as number, ok ? { ok, value } : { ok, error: sanitized(error) });
    return OK;
  }
}
