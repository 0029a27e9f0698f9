// `/pkg/{name}/rest?query` split into the package's name and the path and
// query it sees: the same split on the admin port and on the data port.

import { isPackageName } from "../../common/names.ts";

export interface PkgPath {
  /** The raw name segment(s), still percent-encoded. */
  nameParam: string;
  /** `/rest`, as the package sees it. */
  path: string;
}

/** Splits `/pkg/@scope/name/rest`, `/pkg/%40scope%2Fname/rest` or `/pkg/name/rest`. */
export function splitPkgPath(pathname: string): PkgPath {
  const rest = pathname.replace(/^\/pkg\/?/, "");
  const segments = rest.split("/");
  const scoped = segments[0]?.startsWith("@") && segments.length > 1;
  const nameParam = scoped ? `${segments[0]}/${segments[1]}` : (segments[0] ?? "");
  const tail = segments.slice(scoped ? 2 : 1).join("/");
  return { nameParam, path: `/${tail}` };
}

/** The decoded package name, or a message saying why it is not one. */
export function decodePkgName(param: string): { name: string } | { problem: string } {
  let name: string;
  try {
    name = decodeURIComponent(param);
  } catch {
    return { problem: `package name ${JSON.stringify(param)} is not valid percent-encoding` };
  }
  return isPackageName(name) ? { name } : { problem: `"${name}" is not a valid package name` };
}
