// Decides, for one entry of a fetched archive, whether it belongs to the
// package folder, is skipped, or makes the whole archive invalid (docs/reference/limits.md#archive-bounds).

import type { ArchiveBounds } from "../config.ts";
import { IsopodError } from "../errors.ts";

/** Entry types written into the package folder; every other type inside it is refused. */
export type WritableType = "file" | "folder";

export type Placement =
  /** Outside the package folder: read past, never written. */
  | { kind: "skip" }
  /** Inside the package folder; `relative` is "" for the folder itself. */
  | { kind: "inside"; relative: string };

export function invalidArchive(message: string, details: Record<string, unknown> = {}): IsopodError {
  return new IsopodError("invalid_archive", message, details);
}

const bytes = (text: string) => Buffer.byteLength(text, "utf8");

/**
 * Places an entry: `top` is the archive's top folder (GitHub's `OWNER-REPO-SHORTSHA`),
 * `folder` the package folder below it ("" for the whole repository).
 * Absolute paths, `..` and entries outside the top folder fail everywhere in the archive.
 */
export function placeEntry(entryPath: string, top: string, folder: string): Placement {
  if (entryPath.startsWith("/") || /^[A-Za-z]:/.test(entryPath)) {
    throw invalidArchive(`archive entry "${entryPath}" has an absolute path`, { entry: entryPath });
  }
  const segments = entryPath.replace(/\/+$/, "").split("/");
  if (segments.includes("..")) throw invalidArchive(`archive entry "${entryPath}" climbs out with ".."`, { entry: entryPath });
  if (segments.some((segment) => segment === "" || segment === "." || segment.includes("\0"))) {
    throw invalidArchive(`archive entry "${entryPath}" is not a plain relative path`, { entry: entryPath });
  }
  if (segments[0] !== top) {
    throw invalidArchive(`archive entry "${entryPath}" is outside the archive's top folder "${top}/"`, { entry: entryPath });
  }
  const inner = segments.slice(1).join("/");
  if (folder === "") return { kind: "inside", relative: inner };
  if (inner === folder) return { kind: "inside", relative: "" };
  if (inner.startsWith(`${folder}/`)) return { kind: "inside", relative: inner.slice(folder.length + 1) };
  return { kind: "skip" };
}

/** Checks the shape of a path inside the package folder: depth, name and path length. */
export function checkShape(relative: string, bounds: ArchiveBounds): void {
  const segments = relative.split("/");
  if (segments.length > bounds.maxDepth) {
    throw invalidArchive(`archive entry "${relative}" is ${segments.length} folders deep, more than ${bounds.maxDepth}`, { entry: relative });
  }
  const long = segments.find((segment) => bytes(segment) > bounds.maxNameBytes);
  if (long !== undefined) {
    throw invalidArchive(`archive entry "${relative}" has a name of ${bytes(long)} bytes, more than ${bounds.maxNameBytes}`, { entry: relative });
  }
  if (bytes(relative) > bounds.maxPathBytes) {
    throw invalidArchive(`archive entry "${relative.slice(0, 80)}…" has a path of ${bytes(relative)} bytes, more than ${bounds.maxPathBytes}`, {
      entry: relative,
    });
  }
}

const REFUSED: Record<string, string> = {
  SymbolicLink: "a symbolic link",
  Link: "a hard link",
  CharacterDevice: "a character device",
  BlockDevice: "a block device",
  FIFO: "a FIFO",
};

/** What an entry of tar type `type` becomes in the package folder; links, devices, FIFOs and unknown types are refused. */
export function writableType(type: string, relative: string): WritableType {
  if (type === "File" || type === "OldFile" || type === "ContiguousFile") return "file";
  if (type === "Directory") return "folder";
  const what = REFUSED[type] ?? `of unsupported type "${type}"`;
  throw invalidArchive(`archive entry "${relative}" is ${what}; packages may not contain one`, { entry: relative, type });
}
