// Compares two HTTP answers as the conformance tests do: status, headers
// normalised (date, server and connection details dropped; content-length
// only when both sides sent one), and the body byte for byte.

import type { RawResponse } from "./raw_request.ts";

/** Headers that differ between any two servers and say nothing about the package. */
const IGNORED = new Set(["date", "server", "connection", "keep-alive", "transfer-encoding"]);

export interface Comparable {
  status: number;
  headers: string[];
  body: string;
}

export function comparable(response: RawResponse, other: RawResponse): Comparable {
  const chunked = [response, other].some((r) => r.headers.some(([name]) => name === "transfer-encoding"));
  const headers = response.headers
    .filter(([name]) => !IGNORED.has(name) && !(chunked && name === "content-length"))
    .map(([name, value]) => `${name}: ${value}`)
    .sort();
  return { status: response.status, headers, body: response.body.toString("latin1") };
}
