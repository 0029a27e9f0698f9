// atob and btoa over "binary strings", written by hand: the forgiving-base64
// algorithm of the HTML standard, with DOMException for bad input.

import { DOMException } from "./dom_exception.ts";

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const LOOKUP = new Map([...ALPHABET].map((char, index) => [char, index]));

export function btoa(data: unknown): string {
  if (arguments.length === 0) throw new TypeError("btoa requires 1 argument");
  const text = String(data);
  let out = "";
  for (let i = 0; i < text.length; i += 3) {
    const codes = [text.charCodeAt(i), text.charCodeAt(i + 1), text.charCodeAt(i + 2)];
    for (let j = 0; j < 3 && i + j < text.length; j++) {
      if (codes[j]! > 0xff) throw new DOMException("Invalid character", "InvalidCharacterError");
    }
    const [a, b = 0, c = 0] = codes.map((code) => (Number.isNaN(code) ? 0 : code)) as [number, number, number];
    const triple = (a << 16) | (b << 8) | c;
    const chars = Math.min(4, text.length - i + 1);
    for (let j = 0; j < 4; j++) out += j < chars ? ALPHABET[(triple >> (18 - 6 * j)) & 63] : "=";
  }
  return out;
}

export function atob(data: unknown): string {
  if (arguments.length === 0) throw new TypeError("atob requires 1 argument");
  let text = String(data).replace(/[\t\n\f\r ]/g, "");
  if (text.length % 4 === 0) text = text.replace(/==?$/, "");
  if (text.length % 4 === 1 || /[^A-Za-z0-9+/]/.test(text)) {
    throw new DOMException("Failed to decode base64", "InvalidCharacterError");
  }
  let out = "";
  let buffer = 0;
  let bits = 0;
  for (const char of text) {
    buffer = (buffer << 6) | LOOKUP.get(char)!;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += String.fromCharCode((buffer >> bits) & 0xff);
    }
  }
  return out;
}
