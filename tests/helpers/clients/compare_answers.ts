// Compares two HTTP answers as the conformance tests do: status, headers
// normalised (date, server and connection details dropped; content-length
// only when both sides sent one), and the body byte for byte once decoded
// (two compressors need not agree on the compressed bytes).

import { brotliDecompressSync, gunzipSync } from "node:zlib";
import type { RawResponse } from "./raw_request.ts";

/** Headers that differ between any two servers and say nothing about the package. */
const IGNORED = new Set(["date", "server", "connection", "keep-alive", "transfer-encoding"]);

export interface Comparable {
  status: number;
  headers: string[];
  body: string;
}

/** The body as the package wrote it: gzip and br are undone (a body that does not decode is marked, so it differs). */
export function decodedBody(response: RawResponse): Buffer {
  const encoding = response.headers.find(([name]) => name === "content-encoding")?.[1];
  if (response.body.length === 0 || (encoding !== "gzip" && encoding !== "br")) return response.body;
  try {
    return encoding === "gzip" ? gunzipSync(response.body) : brotliDecompressSync(response.body);
  } catch (error) {
    return Buffer.from(`<undecodable ${encoding}: ${(error as Error).message}>`);
  }
}

export function comparable(response: RawResponse, other: RawResponse): Comparable {
  const chunked = [response, other].some((r) => r.headers.some(([name]) => name === "transfer-encoding"));
  const headers = response.headers
    .filter(([name]) => !IGNORED.has(name) && !(chunked && name === "content-length"))
    .map(([name, value]) => `${name}: ${value}`)
    .sort();
  return { status: response.status, headers, body: decodedBody(response).toString("latin1") };
}
