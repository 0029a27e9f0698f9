// The name-value list of a query without percent signs, plus signs or surrogates,
// split without the standard's round trip through bytes (whatwg-url encodes, splits and decodes every pair).

/** Characters that change between the string and its decoded pairs: `%` and `+` are decoded, a lone surrogate becomes U+FFFD. */
const NOT_PLAIN = /[%+\ud800-\udfff]/;

/**
 * What the standard's application/x-www-form-urlencoded parser makes of
 * `input`, or null when the input holds a character it would decode: the
 * caller then runs the full parser.
 */
export function parsePlainQuery(input: string): [string, string][] | null {
  if (NOT_PLAIN.test(input)) return null;
  const list: [string, string][] = [];
  for (const piece of input.split("&")) {
    if (piece === "") continue;
    const equals = piece.indexOf("=");
    list.push(equals === -1 ? [piece, ""] : [piece.slice(0, equals), piece.slice(equals + 1)]);
  }
  return list;
}
