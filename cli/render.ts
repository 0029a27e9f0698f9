// How packages, batches and operations read in a terminal.

import { table, timeText } from "./output.ts";

/** The fields of a package answer the CLI shows (docs/reference/api.md#the-package-object). */
export interface PackageAnswer {
  name: string;
  version: string;
  state: string;
  desiredState: string;
  source: { kind: string; url?: string; ref?: string; commit?: string; path?: string };
  error: { code: string; message: string; at: string } | null;
  permissions?: { granted?: Record<string, { allow: true | string[]; deny: string[] }> };
  dependencies?: Record<string, string>;
  integrity?: string;
  resolved?: { name: string; version: string; registry: string }[];
  installedAt?: string;
  updatedAt?: string;
}

export function sourceText(source: PackageAnswer["source"]): string {
  if (source.kind === "path") return source.path ?? "-";
  const ref = source.ref ? `@${source.ref}` : "";
  const commit = source.commit ? ` (${source.commit.slice(0, 7)})` : "";
  return `${source.url ?? "-"}${ref}${commit}`;
}

export function stateText(pkg: PackageAnswer): string {
  return pkg.error && pkg.state === "failed" ? `failed (${pkg.error.code})` : pkg.state;
}

export function packageTable(packages: PackageAnswer[]): string {
  if (packages.length === 0) return "no packages; add one with isopod add PATH|GIT_URL";
  const rows = packages.map((p) => [p.name, p.version, stateText(p), p.desiredState, sourceText(p.source)]);
  return table(["name", "version", "state", "desired", "source"], rows);
}

function grantedText(pkg: PackageAnswer): string {
  const granted = Object.entries(pkg.permissions?.granted ?? {})
    .filter(([, rule]) => rule.allow === true || rule.allow.length > 0)
    .map(([name, rule]) => (rule.allow === true ? name : `${name}=${rule.allow.join(",")}`));
  return granted.join(" ") || "nothing";
}

export function packageDetails(pkg: PackageAnswer): string[] {
  const dependencies = Object.entries(pkg.dependencies ?? {}).map(([name, range]) => `${name} ${range}`);
  return [
    `name:         ${pkg.name}`,
    `version:      ${pkg.version}`,
    `state:        ${pkg.state} (desired: ${pkg.desiredState})`,
    ...(pkg.error ? [`error:        ${pkg.error.code}: ${pkg.error.message} (${timeText(pkg.error.at)})`] : []),
    `source:       ${pkg.source.kind} ${sourceText(pkg.source)}`,
    `granted:      ${grantedText(pkg)}`,
    `dependencies: ${dependencies.join(", ") || "none"}`,
    `integrity:    ${pkg.integrity ?? "-"}`,
    `resolved:     ${(pkg.resolved ?? []).map((dep) => `${dep.name}@${dep.version}`).join(", ") || "none"}`,
    `installed:    ${timeText(pkg.installedAt)}`,
    `updated:      ${timeText(pkg.updatedAt)}`,
  ];
}

/** One line about a package after an operation. */
export function packageLine(pkg: PackageAnswer): string {
  const error = pkg.error && pkg.state === "failed" ? `: ${pkg.error.message}` : "";
  return `${pkg.name} ${pkg.version} ${stateText(pkg)}${error}`;
}

/** One entry of a batch answer, whatever exact shape the host gives it. */
export interface BatchEntry {
  name: string;
  ok: boolean;
  text: string;
}

export function batchEntries(answer: unknown): BatchEntry[] {
  const object = (answer ?? {}) as { items?: unknown; results?: unknown };
  const list = Array.isArray(answer) ? answer : Array.isArray(object.items) ? object.items : Array.isArray(object.results) ? object.results : [];
  return list.map((raw) => {
    const entry = raw as { name?: string; ok?: boolean; state?: string; error?: { code?: string; message?: string } | null; package?: PackageAnswer };
    const name = entry.name ?? entry.package?.name ?? "?";
    const failed = entry.ok === false || (entry.error !== undefined && entry.error !== null && entry.package === undefined && entry.state === undefined);
    if (failed) return { name, ok: false, text: `failed: ${entry.error?.message ?? "unknown error"} (${entry.error?.code ?? "?"})` };
    return { name, ok: true, text: entry.package ? stateText(entry.package) : (entry.state ?? "ok") };
  });
}
