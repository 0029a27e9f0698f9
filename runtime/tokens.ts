// API tokens: `isopod_<id>_<secret>`. The id finds the row, only a SHA-256 of
// the secret is stored, and it is compared in constant time.

import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { writeFile } from "node:fs/promises";
import type { Role, Store, TokenRecord } from "../db/index.ts";
import { badRequest, IsopodError, notFound } from "./errors.ts";

export interface Principal {
  name: string;
  role: Role;
}

/** A token as the API shows it: never the secret, never its hash. */
export interface TokenView {
  id: string;
  name: string;
  role: Role;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

const TOKEN = /^isopod_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/;
const TOKEN_NAME = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/;
const TOKEN_ID = /^[0-9a-f]{16}$/;
/** Names the audit log uses for actors that are not tokens. */
const RESERVED_NAMES = new Set(["host", "pipe", "env-admin"]);

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

export function tokenViewOf(record: TokenRecord): TokenView {
  return {
    id: record.id,
    name: record.name,
    role: record.role,
    createdAt: new Date(record.createdAt).toISOString(),
    lastUsedAt: iso(record.lastUsedAt),
    revokedAt: iso(record.revokedAt),
  };
}

const sha256 = (text: string): Buffer => createHash("sha256").update(text).digest();

function sameSecret(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

export class TokenService {
  readonly #store: Store;
  readonly #envAdminHash: Buffer | undefined;

  constructor(store: Store, envAdminToken: string | undefined) {
    this.#store = store;
    this.#envAdminHash = envAdminToken ? sha256(envAdminToken) : undefined;
  }

  /** Creates a token; the secret is returned once and never stored. */
  create(name: string, role: Role): { id: string; token: string } {
    const id = randomBytes(8).toString("hex");
    const secret = randomBytes(32).toString("base64url");
    this.#store.tokens.insert({ id, name, role, hash: sha256(secret).toString("hex") });
    return { id, token: `isopod_${id}_${secret}` };
  }

  /**
   * Issues a token for an operator: the name must be new among active tokens
   * and not one the audit log uses for the host itself.
   */
  issue(name: string, role: Role): { token: string; view: TokenView } {
    if (!TOKEN_NAME.test(name)) {
      throw badRequest(`token name "${name}" must be 1-64 letters, digits, ".", "_", "@" or "-", starting with a letter or digit`);
    }
    if (RESERVED_NAMES.has(name)) throw badRequest(`token name "${name}" is reserved for the host's own actions; pick another`);
    if (this.#store.tokens.list().some((t) => t.name === name && t.revokedAt === null)) {
      throw new IsopodError("conflict", `cannot create token "${name}": an active token has that name; revoke it first or pick another name`);
    }
    const { id, token } = this.create(name, role);
    return { token, view: tokenViewOf(this.#store.tokens.active(id)!) };
  }

  /** Every token ever issued, revoked ones included, oldest first. */
  list(): TokenView[] {
    return this.#store.tokens.list().map(tokenViewOf);
  }

  /** Revokes an active token; the last admin token stays unless ISOPOD_ADMIN_TOKEN is set. */
  revoke(id: string): TokenView {
    if (!TOKEN_ID.test(id)) throw badRequest(`"${id}" is not a token id (16 hex digits, as \`isopod token ls\` shows)`);
    const record = this.#store.tokens.active(id);
    if (!record) throw notFound(`no active token with id "${id}"`);
    const admins = this.#store.tokens.list().filter((t) => t.role === "admin" && t.revokedAt === null);
    if (record.role === "admin" && admins.length === 1 && !this.#envAdminHash) {
      throw new IsopodError("conflict", `cannot revoke "${record.name}": it is the last admin token; create another admin token first`);
    }
    this.#store.tokens.revoke(id);
    return tokenViewOf(this.#store.tokens.list().find((t) => t.id === id)!);
  }

  /** Who a bearer token belongs to, or undefined. */
  authenticate(presented: string): Principal | undefined {
    if (this.#envAdminHash && sameSecret(sha256(presented), this.#envAdminHash)) {
      return { name: "env-admin", role: "admin" };
    }
    const match = TOKEN.exec(presented);
    if (!match) return undefined;
    const record = this.#store.tokens.active(match[1]!);
    if (!record || !sameSecret(sha256(match[2]!), Buffer.from(record.hash, "hex"))) return undefined;
    this.#store.tokens.touch(record.id);
    return { name: record.name, role: record.role };
  }

  /**
   * At first start with no token and no ISOPOD_ADMIN_TOKEN, creates an admin
   * token and writes it to `file` (mode 0600). Returns the file when it did.
   */
  async ensureAdminToken(file: string): Promise<string | undefined> {
    if (this.#envAdminHash || this.#store.tokens.count() > 0) return undefined;
    const { token } = this.create("admin", "admin");
    await writeFile(file, `${token}\n`, { mode: 0o600 });
    return file;
  }
}
