// Package names in URLs: literal (`/v1/packages/@acme/clock`) or encoded
// (`%40acme%2Fclock`), matched by one route pattern and checked once.

import { badRequest } from "../runtime/index.ts";
import { isPackageName } from "../common/names.ts";

/** A Hono path parameter pattern that takes a scoped or plain name. */
export const NAME_PARAM = ":name{(?:@[^/]+/)?[^/]+}";

/** The decoded, validated package name from a route parameter. */
export function packageNameFrom(param: string | undefined): string {
  let name: string;
  try {
    name = decodeURIComponent(param ?? "");
  } catch {
    throw badRequest(`package name ${JSON.stringify(param)} is not valid percent-encoding`);
  }
  if (!isPackageName(name)) throw badRequest(`"${name}" is not a valid package name`);
  return name;
}
