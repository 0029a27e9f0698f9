// Request heads and response heads as strings, for calls on the host's thread: a string crosses
// the isolate boundary as a plain copy, where an object goes through V8's serializer (about 2 µs each way).

import type { HeaderList, ResponseHead } from "./bridge.ts";

/** Bodies up to this size travel inside the answer string (one byte per character); larger ones as an object. */
export const FLAT_BODY_MAX = 16 * 1024;

const SEP = "\n";
const COMMA = 0x2c;
const NEWLINE = 0x0a;
/** `String.fromCharCode` takes its bytes as arguments: this many at a time stays far below V8's limit. */
const CHARS_PER_CALL = 8192;

/** Header names and values joined by "\n", or null when one holds a "\n" (never valid in HTTP; the caller copies the list). */
export function flatHeaders(headers: HeaderList): string | null {
  let flat = "";
  for (let i = 0; i < headers.length; i++) {
    const [name, value] = headers[i]!;
    if (name.includes(SEP) || value.includes(SEP)) return null;
    flat += i === 0 ? `${name}${SEP}${value}` : `${SEP}${name}${SEP}${value}`;
  }
  return flat;
}

export function headersOfFlat(flat: string): HeaderList {
  if (flat === "") return [];
  const parts = flat.split(SEP);
  const headers: HeaderList = [];
  for (let i = 0; i + 1 < parts.length; i += 2) headers.push([parts[i]!, parts[i + 1]!]);
  return headers;
}

/**
 * `status \n statusText \n count \n (name \n value \n)* tag body`, where the tag is "N" (no body) or "B"
 * (the bytes follow, one character each); null when the answer does not fit (a stream, a large body, a "\n" in a field).
 */
export function flatAnswer(head: ResponseHead): string | null {
  const body = head.body;
  if (body !== null && !("bytes" in body && body.bytes.byteLength <= FLAT_BODY_MAX)) return null;
  if (head.statusText.includes(SEP)) return null;
  const headers = flatHeaders(head.headers);
  if (headers === null) return null;
  const count = head.headers.length;
  let flat = `${head.status}${SEP}${head.statusText}${SEP}${count}${SEP}${headers}${count === 0 ? "" : SEP}`;
  if (body === null) return `${flat}N`;
  flat += "B";
  const bytes = body.bytes;
  // A small body in one call: `subarray` would make V8 move a small array's bytes off its heap first (a malloc).
  if (bytes.byteLength <= CHARS_PER_CALL) return flat + String.fromCharCode.apply(null, bytes as unknown as number[]);
  for (let start = 0; start < bytes.byteLength; start += CHARS_PER_CALL) {
    flat += String.fromCharCode.apply(null, bytes.subarray(start, start + CHARS_PER_CALL) as unknown as number[]);
  }
  return flat;
}

/** The field that ends at the next "\n" from `at`, and where the one after it starts; throws if there is none. */
function field(flat: string, at: number): [string, number] {
  const end = flat.indexOf(SEP, at);
  if (end === -1) throw new TypeError("invalid response head");
  return [flat.slice(at, end), end + 1];
}

/**
 * Reads what `flatAnswer` wrote. The string comes from an untrusted isolate: anything malformed throws a
 * TypeError (the caller answers 500); `bytesOf` turns the body characters into bytes (the host's Buffer).
 */
export function answerOfFlat(flat: string, bytesOf: (chars: string) => Uint8Array): ResponseHead {
  let at = 0;
  let status: string;
  let statusText: string;
  let count: string;
  [status, at] = field(flat, at);
  [statusText, at] = field(flat, at);
  [count, at] = field(flat, at);
  const n = Number(count);
  if (!/^\d{1,4}$/.test(count) || !/^\d{3}$/.test(status)) throw new TypeError("invalid response head");
  const headers: HeaderList = [];
  for (let i = 0; i < n; i++) {
    let name: string;
    let value: string;
    [name, at] = field(flat, at);
    [value, at] = field(flat, at);
    headers.push([name, value]);
  }
  const tag = flat[at];
  if (tag === "N" && at + 1 === flat.length) return { status: Number(status), statusText, headers, body: null };
  if (tag === "B") return { status: Number(status), statusText, headers, body: { bytes: bytesOf(flat.slice(at + 1)) } };
  throw new TypeError("invalid response head");
}

/** A request of a batch: its id, and its head as primitives (headers as `flatHeaders` joins them). */
export interface FlatRequest {
  id: number;
  method: string;
  url: string;
  headers: string;
  hostname: string;
  port: number;
}

/** In a batch of answers: the handler has not answered yet (wait for it), or answered with what only a structured copy carries (take it). */
export const NOT_YET = -1;
export const NOT_FLAT = -2;

/** Requests as one string: per request a line of numbers (`id,method,url,headers,hostname lengths,port`), then its fields. */
export function batchOfRequests(requests: readonly FlatRequest[]): string {
  let batch = "";
  for (const { id, method, url, headers, hostname, port } of requests) {
    batch += `${id},${method.length},${url.length},${headers.length},${hostname.length},${port}${SEP}${method}${url}${headers}${hostname}`;
  }
  return batch;
}

/**
 * Reads what `batchOfRequests` wrote, digit by digit: splitting each line into
 * numbers (`split(",").map(Number)`) cost a third of a trivial handler's time in the isolate.
 */
export function requestsOfBatch(batch: string): FlatRequest[] {
  const requests: FlatRequest[] = [];
  let at = 0;
  /** The number up to the character `end` (a char code); anything else there is a broken batch. */
  const number = (end: number): number => {
    let value = 0;
    for (;;) {
      const code = batch.charCodeAt(at++);
      if (code === end) return value;
      if (!(code >= 48 && code <= 57)) throw new TypeError("invalid batch of requests");
      value = value * 10 + (code - 48);
    }
  };
  const take = (length: number): string => batch.slice(at, (at += length));
  while (at < batch.length) {
    const id = number(COMMA);
    const methodLength = number(COMMA);
    const urlLength = number(COMMA);
    const headersLength = number(COMMA);
    const hostnameLength = number(COMMA);
    const port = number(NEWLINE);
    requests.push({ id, method: take(methodLength), url: take(urlLength), headers: take(headersLength), hostname: take(hostnameLength), port });
  }
  return requests;
}

/** Answers as one string: per request `id,length` and a line break, then the flat answer; the length is NOT_YET or NOT_FLAT when there is none. */
export function batchOfAnswers(answers: readonly [id: number, answer: string | typeof NOT_YET | typeof NOT_FLAT][]): string {
  let batch = "";
  for (const [id, answer] of answers) batch += typeof answer === "string" ? `${id},${answer.length}${SEP}${answer}` : `${id},${answer}${SEP}`;
  return batch;
}

/** Reads what `batchOfAnswers` wrote; the string comes from an untrusted isolate, so what is malformed throws a TypeError. */
export function answersOfBatch(batch: string): Map<number, string | typeof NOT_YET | typeof NOT_FLAT> {
  const answers = new Map<number, string | typeof NOT_YET | typeof NOT_FLAT>();
  let at = 0;
  while (at < batch.length) {
    let line: string;
    [line, at] = field(batch, at);
    const match = /^(\d{1,15}),(-[12]|\d{1,9})$/.exec(line);
    if (!match) throw new TypeError("invalid batch of answers");
    const length = Number(match[2]);
    if (length < 0) {
      answers.set(Number(match[1]), length as typeof NOT_YET | typeof NOT_FLAT);
      continue;
    }
    if (at + length > batch.length) throw new TypeError("invalid batch of answers");
    answers.set(Number(match[1]), batch.slice(at, (at += length)));
  }
  return answers;
}
