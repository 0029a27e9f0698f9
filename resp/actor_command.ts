// `<namespace>.package_manager.<method> [payload]`: the actor's methods over the
// Redis door, payload and answer in the connection's format, every call audited.

import { IsopodError, badRequest, callActor, decodeMsgpack, encodeMsgpack, isActorMethod, isReadMethod, type Actor, type LifecycleOperations, type Principal } from "../runtime/index.ts";
import { bulk, errorReply, type Reply } from "./codec.ts";
import type { PayloadFormat, RespServices, Session } from "./session.ts";

export const NAMESPACE = "default";
const DOOR = "resp";

export interface ActorCommand {
  command: string;
  namespace: string;
  method: string;
}

/** `default.package_manager.package_add` → its parts; undefined for any other command. */
export function parseActorCommand(command: string): ActorCommand | undefined {
  const parts = command.split(".");
  if (parts.length !== 3 || parts[1] !== "package_manager") return undefined;
  return { command, namespace: parts[0]!, method: parts[2]! };
}

function decodePayload(format: PayloadFormat, payload: Buffer | undefined): unknown {
  if (payload === undefined || payload.length === 0) return undefined;
  if (format === "msgpack") return decodeMsgpack(payload);
  try {
    return JSON.parse(payload.toString("utf8")) as unknown;
  } catch (error) {
    throw badRequest(`payload is not valid JSON (the connection's config_format is json): ${(error as Error).message}`);
  }
}

function encodeAnswer(format: PayloadFormat, value: unknown): Reply {
  return bulk(format === "msgpack" ? encodeMsgpack(value) : JSON.stringify(value));
}

function errorOf(error: unknown): IsopodError {
  if (error instanceof IsopodError) return error;
  console.error("isopod: unexpected error on the Redis door:", error);
  return new IsopodError("internal", "internal error");
}

/** The operations, noting whether a lifecycle operation (which records itself in the audit log) was reached. */
function tracked(ops: LifecycleOperations, reached: () => void): LifecycleOperations {
  const mark = <A extends unknown[], R>(fn: (...args: A) => R) => (...args: A): R => {
    reached();
    return fn(...args);
  };
  return { ...ops, add: mark(ops.add), start: mark(ops.start), stop: mark(ops.stop), reload: mark(ops.reload), upgrade: mark(ops.upgrade), delete: mark(ops.delete) };
}

function check(call: ActorCommand, principal: Principal, argCount: number): void {
  if (argCount > 1) throw badRequest(`${call.command} takes one payload argument, got ${argCount}`);
  if (call.namespace !== NAMESPACE) throw new IsopodError("not_found", `namespace "${call.namespace}" is not served here; the only namespace is "${NAMESPACE}"`);
  if (principal.role !== "admin" && !(isActorMethod(call.method) && isReadMethod(call.method))) {
    throw new IsopodError("forbidden", `a ${principal.role} token cannot call ${call.command}; use an admin token`);
  }
}

/** Runs one actor call for an authenticated session; its answer or its error as a RESP reply. */
export async function runActorCommand(call: ActorCommand, args: Buffer[], session: Session, services: RespServices): Promise<Reply> {
  const principal = session.principal!;
  const actor: Actor = { name: principal.name, door: DOOR };
  const started = performance.now();
  let reached = false;
  let decoded: unknown;
  let outcome: { ok: true; reply: Reply } | { ok: false; error: IsopodError };
  try {
    check(call, principal, args.length);
    decoded = decodePayload(session.format, args[0]);
    const answer = await callActor(tracked(services.operations, () => (reached = true)), call.method, decoded, actor);
    outcome = { ok: true, reply: encodeAnswer(session.format, answer) };
  } catch (error) {
    outcome = { ok: false, error: errorOf(error) };
  }
  if (!reached) {
    const name = (decoded as { name?: unknown } | undefined)?.name;
    services.auditLog.record({
      at: Date.now(),
      actor: principal.name,
      operation: call.method.slice(0, 64),
      package: typeof name === "string" ? name.slice(0, 256) : null,
      params: { door: DOOR, command: call.command.slice(0, 128) },
      result: outcome.ok ? "ok" : "error",
      error: outcome.ok ? null : { code: outcome.error.code, message: outcome.error.message },
      durationMs: Math.round(performance.now() - started),
    });
  }
  if (outcome.ok) return outcome.reply;
  const { code, message, details } = outcome.error;
  return errorReply(code, Object.keys(details).length > 0 ? `${message} ${JSON.stringify(details)}` : message);
}
