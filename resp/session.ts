// What the Redis door knows about one connection: who authenticated, which
// protocol and payload format it speaks, its name, what it may still do unauthenticated.

import type { LifecycleOperations, OperationStore, Principal } from "../runtime/index.ts";
import type { Protocol } from "./codec.ts";

export type PayloadFormat = "json" | "msgpack";

export interface Session {
  readonly id: number;
  readonly address: string;
  principal: Principal | undefined;
  protocol: Protocol;
  format: PayloadFormat;
  name: string | null;
  /** Commands received before AUTH succeeded. */
  unauthenticated: number;
}

/** The host's services the door uses, and nothing else. */
export interface RespServices {
  authenticate(token: string): Principal | undefined;
  operations: LifecycleOperations;
  /** The audit log, for the actor calls that no lifecycle operation records (reads, refusals). */
  auditLog: Pick<OperationStore, "record">;
}

export function newSession(id: number, address: string): Session {
  return { id, address, principal: undefined, protocol: 2, format: "json", name: null, unauthenticated: 0 };
}
