// Turns console arguments into one line of text, close to what Deno prints:
// strings as they are, everything else inspected with a depth bound.

const MAX_DEPTH = 4;
const MAX_ITEMS = 100;

function inspectString(value: string, nested: boolean): string {
  return nested ? JSON.stringify(value) : value;
}

function inspectObject(value: object, depth: number, seen: Set<object>): string {
  if (seen.has(value)) return "[Circular]";
  if (depth > MAX_DEPTH) return Array.isArray(value) ? "[Array]" : "[Object]";
  seen.add(value);
  try {
    if (value instanceof Error) return value.stack ?? `${value.name}: ${value.message}`;
    if (Array.isArray(value)) {
      const items = value.slice(0, MAX_ITEMS).map((item) => inspect(item, depth + 1, seen, true));
      if (value.length > MAX_ITEMS) items.push(`... ${value.length - MAX_ITEMS} more items`);
      return `[ ${items.join(", ")} ]`;
    }
    const entries = Object.entries(value).slice(0, MAX_ITEMS);
    const body = entries.map(([key, item]) => `${key}: ${inspect(item, depth + 1, seen, true)}`).join(", ");
    const tag = value.constructor && value.constructor !== Object ? `${value.constructor.name} ` : "";
    return body ? `${tag}{ ${body} }` : `${tag}{}`;
  } finally {
    seen.delete(value);
  }
}

function inspect(value: unknown, depth: number, seen: Set<object>, nested: boolean): string {
  switch (typeof value) {
    case "string":
      return inspectString(value, nested);
    case "function":
      return `[Function: ${value.name || "(anonymous)"}]`;
    case "symbol":
    case "bigint":
      return typeof value === "bigint" ? `${value}n` : value.toString();
    case "object":
      return value === null ? "null" : inspectObject(value, depth, seen);
    default:
      return String(value);
  }
}

/** Formats console arguments; never throws, whatever getters or proxies the values hide. */
export function formatArgs(args: unknown[]): string {
  return args
    .map((arg) => {
      try {
        return inspect(arg, 0, new Set(), false);
      } catch {
        return "[Uninspectable]";
      }
    })
    .join(" ");
}
