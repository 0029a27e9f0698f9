// The URL records of plain http(s) URLs already in the form the URL standard
// writes them in, built without the standard's state machine (whatwg-url's costs ~15 µs).

/** whatwg-url's URL record (url-state-machine.js): an IPv4 host is a number. */
export interface UrlRecord {
  scheme: string;
  username: string;
  password: string;
  host: string | number;
  port: number | null;
  path: string[];
  query: string | null;
  fragment: string | null;
}

/**
 * Scheme, host, port, path, query; no user info, no fragment, no percent
 * sign, no backslash. Every character left in the path and the query is one
 * the standard copies as it is (outside the path and special-query
 * percent-encode sets; `'` is encoded in a special URL's query).
 */
const PLAIN = /^(https?):\/\/([a-z0-9.-]+)(?::([1-9][0-9]{0,4}))?(\/[A-Za-z0-9\-._~!$&'()*+,;=:@/]*)(?:\?([A-Za-z0-9\-._~!$&()*+,;=:@/?]*))?$/;
/** Lower-case labels, none empty, none punycode (`xn--` goes through IDNA checks), the last not a number. */
const DOMAIN = /^(?!xn--)[a-z0-9-]+(?:\.(?!xn--)[a-z0-9-]+)*$/;
const NUMERIC_LAST_LABEL = /(?:^|\.)(?:[0-9]+|0x[0-9a-f]*)$/;
/** Four decimal parts; `ipv4Of` checks their range and leading zeros (one alternation per part made this the costliest regex here). */
const IPV4 = /^([0-9]{1,3})\.([0-9]{1,3})\.([0-9]{1,3})\.([0-9]{1,3})$/;
/** A `.` or `..` segment (the standard removes them). */
const DOT_SEGMENT = /(?:^|\/)\.\.?(?:\/|$)/;
const DEFAULT_PORT: Record<string, number> = { http: 80, https: 443 };

/**
 * The address of four decimal parts, each at most 255 without a leading zero
 * (the standard writes those back the same); null for any other four parts
 * (the full parser reads "01" as octal, and a last label that is a number is never a domain).
 */
function ipv4Of(parts: RegExpExecArray): number | null {
  let address = 0;
  for (let i = 1; i <= 4; i++) {
    const part = parts[i]!;
    const value = Number(part);
    if (value > 255 || (part.length > 1 && part[0] === "0")) return null;
    address = address * 256 + value;
  }
  return address;
}

function hostOf(host: string): string | number | null {
  const ipv4 = IPV4.exec(host);
  if (ipv4) return ipv4Of(ipv4);
  if (!DOMAIN.test(host) || NUMERIC_LAST_LABEL.test(host)) return null;
  return host;
}

/**
 * The record the standard's parser makes of `input` (no base), or null when
 * the input is not plain enough to be sure: the caller then runs the full parser.
 */
export function parsePlainURL(input: string): UrlRecord | null {
  const match = PLAIN.exec(input);
  if (!match) return null;
  const [, scheme, rawHost, rawPort, path, query] = match as unknown as [string, string, string, string | undefined, string, string | undefined];
  const host = hostOf(rawHost);
  if (host === null || DOT_SEGMENT.test(path)) return null;
  let port: number | null = null;
  if (rawPort !== undefined) {
    port = Number(rawPort);
    if (port > 65535 || port === DEFAULT_PORT[scheme]) return null;
  }
  return { scheme, username: "", password: "", host, port, path: path.slice(1).split("/"), query: query ?? null, fragment: null };
}
