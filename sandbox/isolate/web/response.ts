// Response, written by hand to the Fetch standard (no package runs in a bare
// V8 context with streaming bodies): constructors, statics, body methods, clone.

import { Body } from "./body.ts";
import { mixinBody, type BodyMembers } from "./body_mixin.ts";
import { freezeHeaders, headerListOf, Headers, type HeadersInit } from "./headers.ts";
import { parseURL } from "./url.ts";

const NULL_BODY_STATUS = new Set([101, 103, 204, 205, 304]);
const REDIRECT_STATUS = new Set([301, 302, 303, 307, 308]);
const REASON = /^[\t\x20-\x7e\x80-\xff]*$/;

export interface ResponseInit {
  status?: number;
  statusText?: string;
  headers?: HeadersInit;
}

interface ResponseState {
  type: "basic" | "default" | "error";
  status: number;
  statusText: string;
  headers: Headers;
  body: Body;
  url: string;
  redirected: boolean;
}

/** `Response.json`'s text on its way into the constructor, which then implies application/json. */
class JsonText {
  constructor(readonly text: string) {}
}

/** The body and the content type it implies; JSON text is known to be a string already. */
function extracted(body: unknown): { body: Body; type: string | null } {
  return body instanceof JsonText ? { body: Body.extract(body.text).body, type: "application/json" } : Body.extract(body);
}

/** The body of a Response, for the code that sends it to the host. */
export let bodyOfResponse: (response: Response) => Body;
/** A Response made by the runtime (fetch results): any status, fixed url, read-only headers. */
export let makeResponse: (state: Omit<ResponseState, "type"> & { type?: ResponseState["type"] }) => Response;

export class Response {
  #state: ResponseState;

  static {
    bodyOfResponse = (response) => response.#state.body;
    makeResponse = (state) => {
      const response = new Response();
      response.#state = { type: "basic", ...state };
      return response;
    };
  }

  constructor(body: unknown = null, init: ResponseInit = {}) {
    const status = init.status === undefined ? 200 : Number(init.status);
    if (!Number.isInteger(status) || status < 200 || status > 599) {
      throw new RangeError(`The status provided (${init.status}) is outside the range [200, 599].`);
    }
    const statusText = init.statusText === undefined ? "" : String(init.statusText);
    if (!REASON.test(statusText)) throw new TypeError("Invalid status text");
    const headers = new Headers(init.headers);
    const { body: content, type } = extracted(body);
    if (!content.isNull && NULL_BODY_STATUS.has(status)) {
      throw new TypeError("Response with null body status cannot have body");
    }
    // The list is fresh and the type one of ours: appended as it is, without the checks `set` makes of a package's values.
    const list = headerListOf(headers);
    if (type !== null && !list.some(([name]) => name === "content-type")) list.push(["content-type", type]);
    this.#state = { type: "default", status, statusText, headers, body: content, url: "", redirected: false };
  }

  static json(data: unknown, init: ResponseInit = {}): Response {
    const text = JSON.stringify(data);
    if (text === undefined) throw new TypeError("Value is not JSON serializable");
    return new Response(new JsonText(text), init);
  }

  static error(): Response {
    const response = new Response();
    response.#state = { ...response.#state, type: "error", status: 0, headers: freezeHeaders(new Headers()) };
    return response;
  }

  static redirect(url: string, status = 302): Response {
    const location = parseURL(String(url)).href;
    if (!REDIRECT_STATUS.has(status)) throw new RangeError(`Invalid redirect status code: ${status}`);
    const response = new Response(null, { status, headers: { location } });
    freezeHeaders(response.#state.headers);
    return response;
  }

  get type(): string {
    return this.#state.type;
  }

  get url(): string {
    return this.#state.url;
  }

  get redirected(): boolean {
    return this.#state.redirected;
  }

  get status(): number {
    return this.#state.status;
  }

  get ok(): boolean {
    return this.#state.status >= 200 && this.#state.status <= 299;
  }

  get statusText(): string {
    return this.#state.statusText;
  }

  get headers(): Headers {
    return this.#state.headers;
  }

  clone(): Response {
    if (this.#state.body.used) throw new TypeError("Body already consumed.");
    const copy = new Response();
    copy.#state = { ...this.#state, headers: new Headers(this.#state.headers), body: this.#state.body.clone() };
    return copy;
  }
}

// The Body members (body, bodyUsed, text(), json(), ...) come from the mixin, as in the standard.
export interface Response extends BodyMembers {}
mixinBody(Response, (self) => bodyOfResponse(self), (self) => self.headers.get("content-type"));

Object.defineProperty(Response.prototype, Symbol.toStringTag, { value: "Response", configurable: true });
