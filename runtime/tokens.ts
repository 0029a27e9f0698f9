// API tokens: `isopod_<id>_<secret>`. The id finds the row, only a SHA-256 of
// the secret is stored, and it is compared in constant time.

import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { writeFile } from "node:fs/promises";
import type { Role, Store } from "../db/index.ts";

export interface Principal {
  name: string;
  role: Role;
}

const TOKEN = /^isopod_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/;

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
