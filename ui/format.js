// How the dashboard writes durations, sizes, times and package sources.

export function duration(ms) {
  if (!ms) return "—";
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${s % 60}s`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h}h ${m % 60}m`;
  return `${Math.floor(h / 24)}d ${h % 24}h`;
}

export function bytes(n) {
  if (n === null || n === undefined) return "—";
  const units = ["B", "KiB", "MiB", "GiB"];
  let value = n;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(unit === 0 ? 0 : 1)} ${units[unit]}`;
}

export function time(iso) {
  if (!iso) return "—";
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? String(iso) : date.toLocaleString();
}

export function source(src) {
  if (!src) return "—";
  if (src.kind === "path") return src.path ?? "path";
  const commit = src.commit ? ` @ ${src.commit.slice(0, 7)}` : "";
  return `${src.url ?? "git"}${src.ref ? ` (${src.ref})` : ""}${commit}`;
}

/** A permission value as text: `true`, `false`, a list, or Deno's allow/deny form. */
export function permission(value) {
  if (value === undefined || value === false) return "no";
  if (value === true) return "all";
  if (Array.isArray(value)) return value.length === 0 ? "no" : value.join(", ");
  if (typeof value === "object" && value !== null) {
    const allow = value.allow === true ? "all" : Array.isArray(value.allow) && value.allow.length > 0 ? value.allow.join(", ") : "no";
    return value.deny?.length ? `${allow} (deny ${value.deny.join(", ")})` : allow;
  }
  return JSON.stringify(value);
}
