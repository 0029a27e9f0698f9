// `fetch("data:...")` answered inside the isolate, as Deno answers it without
// any permission: the Fetch standard's data: URL processor.

import { Body } from "./body.ts";
import { freezeHeaders, Headers } from "./headers.ts";
import { makeResponse, type Response } from "./response.ts";

function percentDecode(text: string): Uint8Array {
  const out: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    const hex = text.slice(i + 1, i + 3);
    if (code === 0x25 && /^[0-9A-Fa-f]{2}$/.test(hex)) {
      out.push(parseInt(hex, 16));
      i += 2;
    } else if (code < 0x80) {
      out.push(code);
    } else {
      out.push(...new TextEncoder().encode(text[i]!));
    }
  }
  return new Uint8Array(out);
}

/** The Response for a data: URL; a TypeError when it is malformed, as fetch fails in Deno. */
export function fetchDataUrl(url: string, method: string): Response {
  const comma = url.indexOf(",");
  if (comma < 0) throw new TypeError("Failed to fetch: malformed data: URL");
  let type = url.slice(5, comma).trim();
  let bytes = percentDecode(url.slice(comma + 1).split("#")[0]!);
  const base64 = /;\s*base64$/i.exec(type);
  if (base64) {
    type = type.slice(0, base64.index);
    let binary: string;
    try {
      binary = atob(String.fromCharCode(...bytes).replace(/[\t\n\f\r ]/g, ""));
    } catch {
      throw new TypeError("Failed to fetch: invalid base64 in data: URL");
    }
    bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
  }
  if (type.startsWith(";")) type = `text/plain${type}`;
  if (type === "") type = "text/plain;charset=US-ASCII";
  return makeResponse({
    status: 200,
    statusText: "OK",
    headers: freezeHeaders(new Headers({ "content-type": type })),
    body: method === "HEAD" ? Body.empty() : Body.ofBytes(bytes),
    url,
    redirected: false,
  });
}
