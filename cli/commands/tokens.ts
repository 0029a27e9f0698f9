// `isopod token create|ls|revoke`: admin tokens and viewer tokens.

import type { Command } from "commander";
import { contextOf } from "../context.ts";
import { usageError } from "../errors.ts";
import { table, timeText } from "../output.ts";

interface TokenAnswer {
  id: string;
  name: string;
  role: string;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
  token?: string;
}

export function registerTokenCommands(program: Command): void {
  const token = program.command("token").description("manage API tokens (admin only)");

  token
    .command("create")
    .description("create a token; its secret is printed once")
    .argument("<name>", "who the token is for; shown in the audit log")
    .option("--role <role>", "admin or viewer", "viewer")
    .action(async (name: string, options: { role: string }, command: Command) => {
      if (options.role !== "admin" && options.role !== "viewer") throw usageError(`--role "${options.role}" must be admin or viewer`);
      const ctx = contextOf(command);
      const created = await ctx.client.call<TokenAnswer>("POST", "/v1/tokens", { name, role: options.role });
      ctx.out.result(created, () => created.token!);
      ctx.out.note(`isopod: token "${created.name}" (${created.role}, id ${created.id}) created; it is shown only now, so store it (e.g. ISOPOD_TOKEN)`);
    });

  token
    .command("ls")
    .alias("list")
    .description("list tokens (never their secrets)")
    .action(async (_options: unknown, command: Command) => {
      const ctx = contextOf(command);
      const answer = await ctx.client.call<{ items: TokenAnswer[] }>("GET", "/v1/tokens");
      ctx.out.result(answer, () =>
        table(
          ["id", "name", "role", "created", "last used", "revoked"],
          answer.items.map((t) => [t.id, t.name, t.role, timeText(t.createdAt), timeText(t.lastUsedAt), timeText(t.revokedAt)]),
        ),
      );
    });

  token
    .command("revoke")
    .description("revoke a token at once")
    .argument("<id>", "the token's id, as isopod token ls shows it")
    .action(async (id: string, _options: unknown, command: Command) => {
      const ctx = contextOf(command);
      const revoked = await ctx.client.call<TokenAnswer>("DELETE", `/v1/tokens/${encodeURIComponent(id)}`);
      ctx.out.result(revoked, () => `revoked "${revoked.name}" (${revoked.id})`);
    });
}
