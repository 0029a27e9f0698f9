// Routes one decoded command: the AUTH gate first (NOAUTH, and a bound on what
// an unauthenticated connection may send), then the door's commands or the actor.

import { parseActorCommand, runActorCommand } from "./actor_command.ts";
import { errorReply, OK, type Reply } from "./codec.ts";
import { CONNECTION_COMMANDS, OPEN_COMMANDS } from "./connection_commands.ts";
import type { RespServices, Session } from "./session.ts";

export interface Outcome {
  reply: Reply;
  /** Close the connection once the reply is written (QUIT, too many commands before AUTH). */
  close: boolean;
}

const NOAUTH = errorReply("NOAUTH", "authentication required");

function gate(command: string, session: Session, maxUnauthenticated: number): Outcome | undefined {
  if (session.principal) return undefined;
  session.unauthenticated++;
  if (session.unauthenticated > maxUnauthenticated) {
    return { reply: errorReply("NOAUTH", `more than ${maxUnauthenticated} commands before AUTH; closing the connection`), close: true };
  }
  return OPEN_COMMANDS.has(command) ? undefined : { reply: NOAUTH, close: false };
}

export async function dispatch(args: Buffer[], session: Session, services: RespServices, maxUnauthenticated: number): Promise<Outcome> {
  const name = args[0]!.toString("utf8");
  const command = name.toLowerCase();
  const refused = gate(command, session, maxUnauthenticated);
  if (refused) return refused;
  if (command === "quit") return { reply: OK, close: true };
  const handler = CONNECTION_COMMANDS.get(command);
  if (handler) return { reply: handler(args.slice(1).map((arg) => arg.toString("utf8")), session, services), close: false };
  const call = parseActorCommand(name);
  if (call) return { reply: await runActorCommand(call, args.slice(1), session, services), close: false };
  return { reply: errorReply("ERR", `unknown command '${name.slice(0, 64)}'`), close: false };
}
