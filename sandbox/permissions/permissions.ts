// Deno-style permission sets: parsing the manifest's request and the
// administrator's grant, and computing the effective set (both asked and granted).

import type { PermissionName, PermissionRule, PermissionSet, PermissionValue } from "../../common/package_types.ts";
export type { PermissionName, PermissionRule, PermissionSet, PermissionValue };

/** The permissions an isolate can ever hold. */
export const GRANTABLE = ["net", "env", "read", "write"] as const satisfies readonly PermissionName[];

/** Deno permissions that never reach an isolate: asking for them is an install error. */
export const NEVER_GRANTED = ["run", "ffi", "sys", "import", "all"] as const;


/** A rule that allows nothing, with lists of its own: a shared `[]` would make one push a grant for every set. */
const nothing = (): PermissionRule => ({ allow: [], deny: [] });

export function emptyPermissionSet(): PermissionSet {
  return { net: nothing(), env: nothing(), read: nothing(), write: nothing() };
}

function ruleOf(value: PermissionValue): PermissionRule {
  if (value === true) return { allow: true, deny: [] };
  if (value === false) return { allow: [], deny: [] };
  if (Array.isArray(value)) return { allow: [...value], deny: [] };
  const allow = value.allow === true ? true : Array.isArray(value.allow) ? [...value.allow] : [];
  return { allow, deny: [...(value.deny ?? [])] };
}

/** True when a value asks for something (so `run: false` is a harmless request). */
export function asksForAnything(value: PermissionValue): boolean {
  const rule = ruleOf(value);
  return rule.allow === true || rule.allow.length > 0;
}

/** Normalizes an already-validated `{ net, env, read, write }` object. */
export function permissionSetOf(values: Partial<Record<PermissionName, PermissionValue>>): PermissionSet {
  const set = emptyPermissionSet();
  for (const name of GRANTABLE) {
    const value = values[name];
    if (value !== undefined) set[name] = ruleOf(value);
  }
  return set;
}

/**
 * Whether `outer` covers `inner` for a permission: a host covers that host on
 * any port, and a path covers the paths below it.
 */
export function covers(name: PermissionName, outer: string, inner: string): boolean {
  if (outer === inner) return true;
  if (name === "net") return !outer.includes(":") && inner.startsWith(`${outer}:`);
  if (name === "read" || name === "write") {
    const base = outer.replace(/\/+$/, "");
    return inner.startsWith(`${base}/`);
  }
  return false;
}

function intersectAllow(name: PermissionName, a: true | string[], b: true | string[]): true | string[] {
  if (a === true) return b === true ? true : [...b];
  if (b === true) return [...a];
  const fromA = a.filter((item) => b.some((other) => covers(name, other, item)));
  const fromB = b.filter((item) => a.some((other) => covers(name, other, item)));
  return [...new Set([...fromA, ...fromB])];
}

/** What was both requested and granted; denials from either side stay denials. */
export function effectivePermissions(requested: PermissionSet, granted: PermissionSet): PermissionSet {
  const result = emptyPermissionSet();
  for (const name of GRANTABLE) {
    result[name] = {
      allow: intersectAllow(name, requested[name].allow, granted[name].allow),
      deny: [...new Set([...requested[name].deny, ...granted[name].deny])],
    };
  }
  return result;
}
