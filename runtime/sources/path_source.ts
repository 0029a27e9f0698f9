// The path source: a folder that already exists on the host, used in place,
// so that `reload` picks up edits.

import { stat, realpath } from "node:fs/promises";
import path from "node:path";
import { badRequest } from "../errors.ts";
import type { PackageSource } from "../../db/index.ts";

export interface ResolvedSource {
  /** The folder the package's files are read from. */
  root: string;
  source: PackageSource;
}

/** Resolves `input` (absolute, or relative to the host's working directory) to an existing folder. */
export async function resolvePathSource(input: string, cwd = process.cwd()): Promise<ResolvedSource> {
  if (input.trim() === "" || input.includes("\0")) throw badRequest(`path ${JSON.stringify(input)} is not a valid path`);
  const absolute = path.resolve(cwd, input);
  let info;
  try {
    info = await stat(absolute);
  } catch {
    throw badRequest(`path "${input}" does not exist on the host`);
  }
  if (!info.isDirectory()) throw badRequest(`path "${input}" is not a folder`);
  const root = await realpath(absolute);
  return { root, source: { kind: "path", path: root } };
}
