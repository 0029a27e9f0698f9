// One client of the Redis door: reads commands in order, answers each before
// the next, and closes on QUIT, a protocol error or a timeout. Reading pauses when it runs ahead.

import type { Socket } from "node:net";
import { encodeReply, errorReply, RequestDecoder, RespProtocolError, type Reply } from "./codec.ts";
import { dispatch, type Outcome } from "./dispatch.ts";
import type { RespLimits } from "./limits.ts";
import type { RespServices, Session } from "./session.ts";

/** How long a closing connection may take to flush its last answer before it is destroyed. */
const CLOSE_GRACE_MS = 2_000;

export class RespConnection {
  readonly #socket: Socket;
  readonly #session: Session;
  readonly #services: RespServices;
  readonly #limits: RespLimits;
  readonly #decoder: RequestDecoder;
  #running = false;
  #closing = false;
  #peerEnded = false;
  #waitingDrain = false;
  #frameStart: number | undefined;
  #timer: NodeJS.Timeout | undefined;

  constructor(socket: Socket, session: Session, options: { services: RespServices; limits: RespLimits }) {
    this.#socket = socket;
    this.#session = session;
    this.#services = options.services;
    this.#limits = options.limits;
    this.#decoder = new RequestDecoder(options.limits);
    socket.setNoDelay(true);
    socket.setKeepAlive(true, 60_000);
    socket.on("data", (chunk: Buffer) => this.#onData(chunk));
    socket.on("end", () => {
      this.#peerEnded = true;
      void this.#pump();
    });
    socket.on("error", () => socket.destroy());
    socket.on("close", () => {
      this.#closing = true;
      clearTimeout(this.#timer);
    });
    this.#arm();
  }

  #onData(chunk: Buffer): void {
    if (this.#closing) return;
    this.#decoder.push(chunk);
    this.#frameStart ??= Date.now();
    if (this.#decoder.pendingBytes > this.#limits.maxPendingBytes) this.#socket.pause();
    void this.#pump();
  }

  /** Runs the complete commands that have arrived, one at a time, in order. */
  async #pump(): Promise<void> {
    if (this.#running || this.#closing) return;
    this.#running = true;
    clearTimeout(this.#timer);
    try {
      await this.#drainCommands();
    } finally {
      this.#running = false;
      this.#arm();
    }
  }

  async #drainCommands(): Promise<void> {
    while (!this.#closing) {
      if (this.#socket.writableNeedDrain) return this.#awaitDrain();
      let args: Buffer[] | undefined;
      try {
        args = this.#decoder.next();
      } catch (error) {
        if (!(error instanceof RespProtocolError)) throw error;
        return this.#close(errorReply("ERR", error.message));
      }
      if (args === undefined) break;
      this.#frameStart = this.#decoder.midCommand ? Date.now() : undefined;
      const outcome = await this.#run(args);
      if (this.#closing) return;
      if (outcome.close) return this.#close(outcome.reply);
      this.#socket.write(encodeReply(outcome.reply, this.#session.protocol));
    }
    if (this.#peerEnded) return this.#close(undefined);
    if (this.#socket.isPaused() && this.#decoder.pendingBytes <= this.#limits.maxPendingBytes) this.#socket.resume();
  }

  async #run(args: Buffer[]): Promise<Outcome> {
    try {
      return await dispatch(args, this.#session, this.#services, this.#limits.maxUnauthenticatedCommands);
    } catch (error) {
      console.error("isopod: unexpected error on the Redis door:", error);
      return { reply: errorReply("internal", "internal error"), close: false };
    }
  }

  /** The client is not reading its answers: stop until it does (the idle timeout bounds the wait). */
  #awaitDrain(): void {
    this.#waitingDrain = true;
    this.#socket.pause();
    this.#socket.once("drain", () => {
      this.#waitingDrain = false;
      void this.#pump();
    });
  }

  /** Sends a last reply, if any, and closes; a peer that does not read it is cut off after a grace period. */
  #close(reply: Reply | undefined): void {
    if (this.#closing) return;
    this.#closing = true;
    clearTimeout(this.#timer);
    this.#socket.pause();
    if (reply === undefined) this.#socket.end();
    else this.#socket.end(encodeReply(reply, this.#session.protocol));
    setTimeout(() => this.#socket.destroy(), CLOSE_GRACE_MS).unref();
  }

  /** One deadline at a time: a command under way has none; a partial command, an idle or a blocked connection has one. */
  #arm(): void {
    clearTimeout(this.#timer);
    if (this.#closing || this.#running) return;
    const { idleTimeoutMs, authTimeoutMs, frameTimeoutMs } = this.#limits;
    if (!this.#waitingDrain && this.#decoder.midCommand && this.#frameStart !== undefined) {
      const left = this.#frameStart + frameTimeoutMs - Date.now();
      this.#timer = setTimeout(() => this.#close(errorReply("ERR", `Protocol error: a command was not complete after ${frameTimeoutMs} ms`)), Math.max(0, left));
      return;
    }
    const limit = this.#session.principal ? idleTimeoutMs : authTimeoutMs;
    this.#timer = setTimeout(() => this.#close(errorReply("ERR", `idle for ${limit} ms; closing the connection`)), limit);
  }
}
