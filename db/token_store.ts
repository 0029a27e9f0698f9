// API tokens: only a SHA-256 of each secret is stored, looked up by the
// token's public id and compared in constant time.

import type { Database } from "./sqlite.ts";

export type Role = "admin" | "viewer";

export interface TokenRecord {
  id: string;
  name: string;
  role: Role;
  hash: string;
  createdAt: number;
  lastUsedAt: number | null;
  revokedAt: number | null;
}

interface TokenRow {
  id: string;
  name: string;
  role: Role;
  hash: string;
  created_at: number;
  last_used_at: number | null;
  revoked_at: number | null;
}

const recordOf = (row: TokenRow): TokenRecord => ({
  id: row.id,
  name: row.name,
  role: row.role,
  hash: row.hash,
  createdAt: row.created_at,
  lastUsedAt: row.last_used_at,
  revokedAt: row.revoked_at,
});

export class TokenStore {
  readonly #db: Database;

  constructor(db: Database) {
    this.#db = db;
  }

  insert(token: Pick<TokenRecord, "id" | "name" | "role" | "hash">): void {
    this.#db
      .prepare("INSERT INTO tokens (id, name, role, hash, created_at) VALUES (?, ?, ?, ?, ?)")
      .run(token.id, token.name, token.role, token.hash, Date.now());
  }

  /** A token that has not been revoked, by its public id. */
  active(id: string): TokenRecord | undefined {
    const row = this.#db.prepare("SELECT * FROM tokens WHERE id = ? AND revoked_at IS NULL").get(id) as
      | TokenRow
      | undefined;
    return row && recordOf(row);
  }

  list(): TokenRecord[] {
    return (this.#db.prepare("SELECT * FROM tokens ORDER BY created_at").all() as TokenRow[]).map(recordOf);
  }

  count(): number {
    return (this.#db.prepare("SELECT count(*) AS n FROM tokens").get() as { n: number }).n;
  }

  touch(id: string): void {
    this.#db.prepare("UPDATE tokens SET last_used_at = ? WHERE id = ?").run(Date.now(), id);
  }

  revoke(id: string): boolean {
    return this.#db.prepare("UPDATE tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL").run(Date.now(), id)
      .changes > 0;
  }
}
