// The Redis door's own commands: PING, AUTH, HELLO, CLIENT, COMMAND, INFO and
// config_format, enough for redis-cli, ioredis and redis-py to connect quietly.

import { array, bulk, errorReply, integer, NULL, OK, type Reply, simple, stringMap } from "./codec.ts";
import type { RespServices, Session } from "./session.ts";

export type Handler = (args: string[], session: Session, services: RespServices) => Reply;

const MAX_CLIENT_NAME = 128;

export const wrongArity = (command: string): Reply => errorReply("ERR", `wrong number of arguments for '${command.toLowerCase()}' command`);

/** `AUTH [user] token`: the user, when given, is `default` (what clients send) or the token's own name. */
function authenticate(session: Session, services: RespServices, user: string | undefined, token: string): Reply {
  const principal = services.authenticate(token);
  if (!principal || (user !== undefined && user !== "default" && user !== principal.name)) {
    return errorReply("unauthorized", "invalid or revoked token, or a user that is neither \"default\" nor the token's name");
  }
  session.principal = principal;
  return OK;
}

const ping: Handler = (args) => {
  if (args.length > 1) return wrongArity("ping");
  return args.length === 1 ? bulk(args[0]!) : simple("PONG");
};

const auth: Handler = (args, session, services) => {
  if (args.length === 1) return authenticate(session, services, undefined, args[0]!);
  if (args.length === 2) return authenticate(session, services, args[0], args[1]!);
  return wrongArity("auth");
};

/** `HELLO [2|3 [AUTH user token] [SETNAME name]]`: switches the protocol only when every part succeeded. */
const hello: Handler = (args, session, services) => {
  const [version, ...options] = args;
  if (version !== undefined && version !== "2" && version !== "3") return errorReply("NOPROTO", `unsupported protocol version ${JSON.stringify(version)}; this server speaks 2 and 3`);
  let name: string | undefined;
  for (let i = 0; i < options.length; i++) {
    const option = options[i]!.toUpperCase();
    if (option === "AUTH" && options[i + 2] !== undefined) {
      const answer = authenticate(session, services, options[i + 1], options[i + 2]!);
      if (answer.kind === "error") return answer;
      i += 2;
    } else if (option === "SETNAME" && options[i + 1] !== undefined) {
      name = options[++i];
    } else {
      return errorReply("ERR", `syntax error in HELLO option '${options[i]!.slice(0, 64)}'`);
    }
  }
  if (name !== undefined) {
    const refused = nameRefusal(name);
    if (refused) return refused;
    session.name = name;
  }
  if (version !== undefined) session.protocol = version === "3" ? 3 : 2;
  return stringMap({
    server: bulk("isopod"),
    version: bulk("0.1.0"),
    proto: integer(session.protocol),
    id: integer(session.id),
    mode: bulk("standalone"),
    role: bulk("master"),
    modules: array([]),
  });
};

function nameRefusal(name: string): Reply | undefined {
  if (name.length > MAX_CLIENT_NAME || /[^\x21-\x7e]/.test(name)) {
    return errorReply("ERR", `Client names cannot contain spaces, newlines or special characters, nor be longer than ${MAX_CLIENT_NAME}`);
  }
  return undefined;
}

const client: Handler = (args, session) => {
  const sub = (args[0] ?? "").toUpperCase();
  if (sub === "SETNAME" && args.length === 2) {
    const refused = nameRefusal(args[1]!);
    if (refused) return refused;
    session.name = args[1] === "" ? null : args[1]!;
    return OK;
  }
  if (sub === "GETNAME" && args.length === 1) return session.name === null ? NULL : bulk(session.name);
  if (sub === "ID" && args.length === 1) return integer(session.id);
  // Clients announce their library and version; nothing to keep.
  if (sub === "SETINFO" && args.length === 3) return OK;
  return errorReply("ERR", `unknown subcommand or wrong number of arguments for 'client|${sub.toLowerCase().slice(0, 32)}'; the door knows CLIENT SETNAME, GETNAME, ID and SETINFO`);
};

/** redis-cli asks for COMMAND DOCS to give hints; an empty answer makes it use its own. */
const command: Handler = (args) => ((args[0] ?? "").toUpperCase() === "COUNT" ? integer(0) : array([]));

const info: Handler = (_args, session) =>
  bulk(["# Server", "isopod_version:0.1.0", "redis_mode:standalone", `resp_protocol:${session.protocol}`, "loading:0", ""].join("\r\n"));

const configFormat: Handler = (args, session) => {
  if (args.length !== 1) return wrongArity("config_format");
  const format = args[0]!.toLowerCase();
  if (format !== "json" && format !== "msgpack") {
    return errorReply("bad_request", `config_format takes "json" or "msgpack", not ${JSON.stringify(args[0]!.slice(0, 64))}`);
  }
  session.format = format;
  return OK;
};

/** By lower-case name. */
export const CONNECTION_COMMANDS: ReadonlyMap<string, Handler> = new Map([
  ["ping", ping],
  ["auth", auth],
  ["hello", hello],
  ["client", client],
  ["command", command],
  ["info", info],
  ["config_format", configFormat],
]);

/** What a connection may do before AUTH (docs/doors.md: PING and HELLO; AUTH itself, and QUIT). */
export const OPEN_COMMANDS: ReadonlySet<string> = new Set(["ping", "auth", "hello", "quit"]);
