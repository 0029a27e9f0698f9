// The bounds one Redis-door connection, and the door as a whole, live within;
// each field documents its default. Tests pass smaller ones.

import { DEFAULT_DECODER_LIMITS, type DecoderLimits } from "./codec.ts";

export interface RespLimits extends DecoderLimits {
  /** Bytes read ahead of the command being answered (a pipeline); past it the door stops reading until it catches up. Default 64 KiB. */
  maxPendingBytes: number;
  /** Connections open at once from one client address; more are answered with an error and closed. Default 16. */
  maxConnectionsPerAddress: number;
  /** Connections open at once in all. Default 256. */
  maxConnections: number;
  /** Commands a connection may send before AUTH succeeds (PING and HELLO included); then it is closed. Default 16. */
  maxUnauthenticatedCommands: number;
  /** An authenticated connection with no command for this long (or whose client stops reading answers) is closed. Default 300000 (5 min). */
  idleTimeoutMs: number;
  /** The same before AUTH. Default 10000. */
  authTimeoutMs: number;
  /** A command that began to arrive and is not whole after this long is a protocol error (slow senders, half-open peers). Default 10000. */
  frameTimeoutMs: number;
}

export const DEFAULT_RESP_LIMITS: RespLimits = {
  ...DEFAULT_DECODER_LIMITS,
  maxPendingBytes: 64 * 1024,
  maxConnectionsPerAddress: 16,
  maxConnections: 256,
  maxUnauthenticatedCommands: 16,
  idleTimeoutMs: 300_000,
  authTimeoutMs: 10_000,
  frameTimeoutMs: 10_000,
};
