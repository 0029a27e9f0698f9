// Request, written by hand to the Fetch standard: URL, method, headers, body,
// signal and redirect mode; the rest of RequestInit is accepted and ignored.

import { AbortController, type AbortSignal } from "./abort.ts";
import { Body } from "./body.ts";
import { mixinBody, type BodyMembers } from "./body_mixin.ts";
import type { HeaderList } from "../core/bridge.ts";
import { freezeHeaders, Headers, type HeadersInit } from "./headers.ts";
import { LazyAbort } from "./lazy_abort.ts";
import { parseURL } from "./url.ts";

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const NORMALIZED = new Set(["DELETE", "GET", "HEAD", "OPTIONS", "POST", "PUT"]);
const FORBIDDEN = new Set(["CONNECT", "TRACE", "TRACK"]);
const REDIRECTS = new Set(["follow", "manual", "error"]);
/** Passed instead of an input to build a Request from a ready state (private fields need the constructor). */
const INTERNAL = Symbol("internal");

export interface RequestInit {
  method?: string;
  headers?: HeadersInit;
  body?: unknown;
  signal?: AbortSignal | null;
  redirect?: "follow" | "manual" | "error";
}

interface RequestState {
  url: string;
  method: string;
  /** A received request's list (or what gives it) until its Headers are first asked for (most handlers never do). */
  headers: Headers | HeaderList | (() => HeaderList);
  body: Body;
  /** A received request's signal is made on first access (web/lazy_abort.ts). */
  signal: AbortSignal | LazyAbort;
  redirect: "follow" | "manual" | "error";
}

/** What the host sends of a received request: its header list (checked by Node's parser) and a signal made on demand. */
export interface ReceivedRequest extends RequestState {
  headers: HeaderList | (() => HeaderList);
  signal: LazyAbort;
}

function headersOf(state: RequestState): Headers {
  const { headers } = state;
  if (headers instanceof Headers) return headers;
  state.headers = freezeHeaders(new Headers(typeof headers === "function" ? headers() : headers));
  return state.headers;
}

function signalOf(state: RequestState): AbortSignal {
  if (state.signal instanceof LazyAbort) state.signal = state.signal.signal;
  return state.signal;
}

function methodOf(value: string): string {
  if (!TOKEN.test(value)) throw new TypeError(`Method is not valid: "${value}"`);
  const upper = value.toUpperCase();
  if (FORBIDDEN.has(upper)) throw new TypeError(`Method is forbidden: "${value}"`);
  return NORMALIZED.has(upper) ? upper : value;
}

function followSignal(parent: AbortSignal | null | undefined): AbortSignal {
  const controller = new AbortController();
  if (parent) {
    if (parent.aborted) controller.abort(parent.reason);
    else parent.addEventListener("abort", () => controller.abort(parent.reason), { once: true });
  }
  return controller.signal;
}

/** The body of a Request, for fetch and for tests of the runtime. */
export let bodyOfRequest: (request: Request) => Body;
/** A received request: read-only headers, a body streamed from the host, a signal the host can abort. */
export let makeRequest: (state: ReceivedRequest) => Request;

export class Request {
  #state: RequestState;

  static {
    bodyOfRequest = (request) => request.#state.body;
    makeRequest = (state) => new Request(INTERNAL, state);
  }

  constructor(input: string | Request | symbol | { toString(): string }, init: RequestInit | RequestState = {}) {
    if (input === INTERNAL) {
      this.#state = init as RequestState;
      return;
    }
    init = init as RequestInit;
    const from = input instanceof Request ? input.#state : null;
    const url = from ? from.url : parseURL(String(input)).href;
    const method = init.method !== undefined ? methodOf(String(init.method)) : (from?.method ?? "GET");
    const headers = new Headers(init.headers ?? (from ? headersOf(from) : undefined));
    let body = Body.empty();
    if (init.body !== undefined && init.body !== null) {
      const extracted = Body.extract(init.body);
      body = extracted.body;
      if (extracted.type !== null && !headers.has("content-type")) headers.set("content-type", extracted.type);
    } else if (from && init.body === undefined && !from.body.isNull) {
      const taken = from.body.take();
      body = taken && "stream" in taken ? Body.ofStream(taken.stream) : Body.ofBytes(taken ? taken.bytes : new Uint8Array());
    }
    if ((method === "GET" || method === "HEAD") && !body.isNull) {
      throw new TypeError("Request with GET/HEAD method cannot have body.");
    }
    const redirect = init.redirect ?? from?.redirect ?? "follow";
    if (!REDIRECTS.has(redirect)) throw new TypeError(`Invalid redirect mode: "${redirect}"`);
    const signal = followSignal(init.signal === undefined ? (from ? signalOf(from) : undefined) : init.signal);
    this.#state = { url, method, headers, body, signal, redirect };
  }

  get url(): string {
    return this.#state.url;
  }

  get method(): string {
    return this.#state.method;
  }

  get headers(): Headers {
    return headersOf(this.#state);
  }

  get signal(): AbortSignal {
    return signalOf(this.#state);
  }

  get redirect(): string {
    return this.#state.redirect;
  }

  // Deno's values for what a server-side Request cannot change (the Fetch standard's defaults).
  get cache(): string {
    return this.#state && "default";
  }

  get credentials(): string {
    return this.#state && "same-origin";
  }

  get integrity(): string {
    return this.#state && "";
  }

  get keepalive(): boolean {
    return this.#state && false;
  }

  get mode(): string {
    return this.#state && "cors";
  }

  get referrer(): string {
    return this.#state && "about:client";
  }

  get referrerPolicy(): string {
    return this.#state && "";
  }

  clone(): Request {
    if (this.#state.body.used) throw new TypeError("Body already consumed.");
    const headers = new Headers(headersOf(this.#state));
    return new Request(INTERNAL, { ...this.#state, headers, body: this.#state.body.clone(), signal: followSignal(signalOf(this.#state)) });
  }
}

// The Body members (body, bodyUsed, text(), json(), ...) come from the mixin, as in the standard.
export interface Request extends BodyMembers {}
mixinBody(Request, (self) => bodyOfRequest(self), (self) => self.headers.get("content-type"));

Object.defineProperty(Request.prototype, Symbol.toStringTag, { value: "Request", configurable: true });
