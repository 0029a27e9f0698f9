// Which encoding `deno serve` picks from a request's Accept-Encoding, found by
// experiment with Deno 2.9 (its fly-accept-encoding rules): br, gzip or none.

export type Encoding = "br" | "gzip";

/** Among equal weights Deno prefers br, then gzip, then identity. */
const RANK = { br: 3, gzip: 2, identity: 1 } as const;
type Coding = keyof typeof RANK;

/** `name` or `name;q=weight`, names matched case-sensitively; any other parameter drops the entry. */
const ENTRY = /^([A-Za-z0-9*_.+-]+)(?:;q=([0-9.]+))?$/;

function weightOf(text: string | undefined): number | undefined {
  if (text === undefined) return 1;
  const weight = Number(text === "." ? "x" : text);
  return Number.isFinite(weight) && weight >= 0 && weight <= 1 ? weight : undefined;
}

/**
 * The encoding Deno would compress with for these Accept-Encoding values, or
 * null: identity (or nothing acceptable) wins over what is less wanted.
 *
 * @example
 * preferredEncoding(["gzip, deflate, br"]); // "br"
 * preferredEncoding(["gzip;q=1, br;q=0.5"]); // "gzip"
 */
export function preferredEncoding(values: readonly string[]): Encoding | null {
  let best: { coding: Coding; weight: number } | null = null;
  for (const value of values) {
    for (const item of value.split(",")) {
      const match = ENTRY.exec(item.trim());
      if (!match || !(match[1]! in RANK)) continue;
      const coding = match[1] as Coding;
      const weight = weightOf(match[2]);
      if (weight === undefined || weight === 0) continue;
      if (!best || weight > best.weight || (weight === best.weight && RANK[coding] > RANK[best.coding])) best = { coding, weight };
    }
  }
  return best === null || best.coding === "identity" ? null : best.coding;
}
