// Reads clients' commands off a byte stream: RESP arrays of bulk strings, or
// inline lines, each bound checked on the announced length before buffering.

import { RespProtocolError } from "./protocol_error.ts";

export interface DecoderLimits {
  /** Bytes in one bulk string argument, checked on its announced length. Default 1 MiB. */
  maxBulkBytes: number;
  /** Arguments in one command. Default 16. */
  maxArgs: number;
  /** Bytes in a header line (`*3`, `$5`) or in an inline command. Default 64 KiB. */
  maxLineBytes: number;
}

export const DEFAULT_DECODER_LIMITS: DecoderLimits = { maxBulkBytes: 1024 * 1024, maxArgs: 16, maxLineBytes: 64 * 1024 };

const CR = 13;
const LF = 10;
const EMPTY = Buffer.alloc(0);

interface PendingCommand {
  args: Buffer[];
  count: number;
  /** The bulk string being filled, once its `$<len>` header has been read. */
  bulk: { data: Buffer; filled: number } | undefined;
}

/** Incremental: `push` bytes as they arrive, then take commands with `next` until it answers undefined. */
export class RequestDecoder {
  readonly #limits: DecoderLimits;
  #buffer: Buffer = EMPTY;
  #partial: PendingCommand | undefined;

  constructor(limits: Partial<DecoderLimits> = {}) {
    this.#limits = { ...DEFAULT_DECODER_LIMITS, ...limits };
  }

  push(chunk: Buffer): void {
    this.#buffer = this.#buffer.length === 0 ? chunk : Buffer.concat([this.#buffer, chunk]);
  }

  /** True while part of a command has arrived but not all of it. */
  get midCommand(): boolean {
    return this.#partial !== undefined || this.#buffer.length > 0;
  }

  /** Bytes received and not yet read into a command: what a pipeline has sent ahead. */
  get pendingBytes(): number {
    return this.#buffer.length;
  }

  /** The next complete command, as its arguments; undefined when more bytes are needed. Throws RespProtocolError. */
  next(): Buffer[] | undefined {
    // A loop, not recursion: empty lines and `*0` (no command; Redis skips them too) may come by the thousand.
    while (this.#partial === undefined) {
      if (this.#buffer.length === 0) return undefined;
      if (this.#buffer[0] !== 0x2a /* '*' */) {
        const words = this.#inline();
        if (words === undefined) return undefined;
        if (words.length > 0) return words;
        continue;
      }
      const header = this.#line();
      if (header === undefined) return undefined;
      const count = this.#number(header, "*", this.#limits.maxArgs, "arguments in a command");
      if (count > 0) this.#partial = { args: [], count, bulk: undefined };
    }
    return this.#fill(this.#partial);
  }

  #fill(partial: PendingCommand): Buffer[] | undefined {
    while (partial.args.length < partial.count) {
      if (partial.bulk === undefined) {
        const header = this.#line();
        if (header === undefined) return undefined;
        if (header[0] === 0x2a) throw new RespProtocolError("Protocol error: nested arrays are not commands (nesting bound is 1)");
        const length = this.#number(header, "$", this.#limits.maxBulkBytes, "bytes in a bulk string");
        partial.bulk = { data: Buffer.allocUnsafe(length), filled: 0 };
      }
      if (!this.#readBulk(partial.bulk)) return undefined;
      partial.args.push(partial.bulk.data);
      partial.bulk = undefined;
    }
    this.#partial = undefined;
    return partial.args;
  }

  /** Copies what has arrived of a bulk string and its CRLF; true once it is whole. */
  #readBulk(bulk: { data: Buffer; filled: number }): boolean {
    const take = Math.min(bulk.data.length - bulk.filled, this.#buffer.length);
    this.#buffer.copy(bulk.data, bulk.filled, 0, take);
    bulk.filled += take;
    this.#buffer = this.#buffer.subarray(take);
    if (bulk.filled < bulk.data.length || this.#buffer.length < 2) return false;
    if (this.#buffer[0] !== CR || this.#buffer[1] !== LF) throw new RespProtocolError("Protocol error: a bulk string is longer than its announced length");
    this.#buffer = this.#buffer.subarray(2);
    return true;
  }

  /** One CRLF-terminated line without its CRLF, or undefined when it has not all arrived. */
  #line(): Buffer | undefined {
    const end = this.#buffer.indexOf(LF);
    if (end === -1) {
      if (this.#buffer.length > this.#limits.maxLineBytes) throw new RespProtocolError(`Protocol error: a line is longer than ${this.#limits.maxLineBytes} bytes`);
      return undefined;
    }
    if (end > this.#limits.maxLineBytes) throw new RespProtocolError(`Protocol error: a line is longer than ${this.#limits.maxLineBytes} bytes`);
    const line = this.#buffer.subarray(0, end > 0 && this.#buffer[end - 1] === CR ? end - 1 : end);
    this.#buffer = this.#buffer.subarray(end + 1);
    return line;
  }

  #number(line: Buffer, prefix: "*" | "$", max: number, what: string): number {
    const text = line.toString("latin1");
    if (text[0] !== prefix || !/^-?\d{1,12}$/.test(text.slice(1))) {
      throw new RespProtocolError(`Protocol error: expected '${prefix}<length>', got ${JSON.stringify(text.slice(0, 32))}`);
    }
    const value = Number(text.slice(1));
    if (value > max) throw new RespProtocolError(`Protocol error: ${value} ${what} is over the bound of ${max}`);
    if (prefix === "$" && value < 0) throw new RespProtocolError("Protocol error: a null bulk string is not an argument");
    return value;
  }

  /** A command typed as a line of words (telnet, nc): split on spaces and tabs, no quoting. */
  #inline(): Buffer[] | undefined {
    const line = this.#line();
    if (line === undefined) return undefined;
    const words = line.toString("utf8").split(/[ \t]+/).filter((word) => word !== "");
    if (words.length > this.#limits.maxArgs) throw new RespProtocolError(`Protocol error: ${words.length} arguments in a command is over the bound of ${this.#limits.maxArgs}`);
    return words.map((word) => Buffer.from(word, "utf8"));
  }
}
