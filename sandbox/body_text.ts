// Answer bodies that came out of an isolate as a one-byte string (sandbox/isolate/core/flat_wire.ts) keep
// that string beside their bytes, so that the data plane writes head and body as one string (one write).

/** On the bytes themselves, not in a WeakMap: an ephemeron per answer cost ~0.1 µs and garbage collection time. */
const TEXT = Symbol("isopod.bodyText");

type WithText = Uint8Array & { [TEXT]?: string };

/** The bytes of `chars` (one byte per character), remembering the string they came from. */
export function bytesWithText(chars: string): Uint8Array {
  const buffer = Buffer.from(chars, "latin1");
  const bytes: WithText = new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  bytes[TEXT] = chars;
  return bytes;
}

/** The one-byte string `bytes` were made from by `bytesWithText`, if they were. */
export function textOf(bytes: Uint8Array): string | undefined {
  return (bytes as WithText)[TEXT];
}
