// Network access for a package: the host it names must be granted (Deno's
// `host[:port]` entries, deny wins), and the address it connects to must be
// public unless the grant names that very address (as workerd's `public` network).

import ipaddr from "ipaddr.js";
import os from "node:os";
import { notCapable, type HostOpError } from "../host/host_error.ts";
import type { PermissionRule } from "./permissions.ts";

/** Strips IPv6 brackets and lowercases, so `[::1]` and `::1` compare equal. */
function bare(host: string): string {
  return host.replace(/^\[(.*)\]$/, "$1").toLowerCase();
}

/** Splits `host`, `host:port`, `[v6]:port` or a bare IPv6 address into host and optional port. */
export function splitHostPort(entry: string): { host: string; port: number | undefined } {
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(entry);
  if (bracketed) return { host: bare(bracketed[1]!), port: bracketed[2] === undefined ? undefined : Number(bracketed[2]) };
  const parts = entry.split(":");
  if (parts.length === 2 && /^\d+$/.test(parts[1]!)) return { host: bare(parts[0]!), port: Number(parts[1]) };
  return { host: bare(entry), port: undefined };
}

/** Canonical text of an IP address (IPv4-mapped IPv6 as IPv4), or undefined for a name. */
export function canonicalAddress(host: string): string | undefined {
  const value = bare(host);
  if (!ipaddr.isValid(value)) return undefined;
  if (ipaddr.IPv4.isValid(value) && !ipaddr.IPv4.isValidFourPartDecimal(value)) return undefined;
  return ipaddr.process(value).toString();
}

/** The host's own interface addresses: a package never reaches them without an explicit grant. */
function ownAddresses(): Set<string> {
  const out = new Set<string>();
  for (const list of Object.values(os.networkInterfaces())) {
    for (const item of list ?? []) out.add(canonicalAddress(item.address) ?? item.address);
  }
  return out;
}

function matches(entry: string, host: string, port: number): boolean {
  const wanted = splitHostPort(entry);
  const entryAddress = canonicalAddress(wanted.host);
  const sameHost = entryAddress !== undefined ? entryAddress === canonicalAddress(host) : wanted.host === bare(host);
  return sameHost && (wanted.port === undefined || wanted.port === port);
}

export class NetGuard {
  readonly #rule: PermissionRule;
  /** Read on first use: a syscall each package's start need not pay when it never connects anywhere. */
  #ownAddresses: Set<string> | undefined;
  /** Told `host:port` of each refused connection (sandbox/permissions/refusals.ts). */
  readonly #refused: (target: string) => void;

  get #own(): Set<string> {
    this.#ownAddresses ??= ownAddresses();
    return this.#ownAddresses;
  }

  constructor(rule: PermissionRule, refused: (target: string) => void = () => undefined) {
    this.#rule = rule;
    this.#refused = refused;
  }

  #refuse(host: string, port: number): HostOpError {
    const target = `${host}:${port}`;
    this.#refused(target.toLowerCase());
    return notCapable("net", target);
  }

  /** Checks the host and port a URL names, before anything is resolved. */
  checkHost(host: string, port: number): void {
    if (this.#rule.deny.some((entry) => matches(entry, host, port))) throw this.#refuse(host, port);
    if (this.#rule.allow === true) return;
    if (!this.#rule.allow.some((entry) => matches(entry, host, port))) throw this.#refuse(host, port);
  }

  /** Checks an address the host is about to connect to (resolved from `host`, or `host` itself). */
  checkAddress(host: string, address: string, port: number): void {
    const canonical = canonicalAddress(address) ?? address;
    if (this.#rule.deny.some((entry) => matches(entry, canonical, port))) throw this.#refuse(host, port);
    const parsed = ipaddr.process(bare(canonical));
    if (parsed.range() === "unicast" && !this.#own.has(canonical)) return;
    const named = this.#rule.allow !== true && this.#rule.allow.some((entry) => {
      const wanted = splitHostPort(entry);
      return canonicalAddress(wanted.host) === canonical && (wanted.port === undefined || wanted.port === port);
    });
    if (named) return;
    const which = this.#own.has(canonical) ? "one of the host's own addresses" : `a ${parsed.range()} address`;
    throw this.#refuse(host, port).withDetail(
      `${canonical} is ${which}; only a grant that names that address reaches it`,
    );
  }

  /** Deno.permissions.query for net. */
  state(target: string | undefined): "granted" | "denied" | "prompt" {
    if (target === undefined) return this.#rule.allow === true && this.#rule.deny.length === 0 ? "granted" : "prompt";
    const { host, port } = splitHostPort(target);
    const probe = port ?? 0;
    if (this.#rule.deny.some((entry) => matches(entry, host, probe))) return "denied";
    if (this.#rule.allow === true) return "granted";
    const granted = this.#rule.allow.some((entry) => {
      const wanted = splitHostPort(entry);
      return matches(entry, host, probe) && (port !== undefined || wanted.port === undefined);
    });
    return granted ? "granted" : "prompt";
  }
}
