// URLPattern (urlpattern-polyfill), built as a script of its own: the host
// runs it in an isolate on its first use of URLPattern (web/lazy.ts).

import { URLPattern } from "urlpattern-polyfill/urlpattern";

/** Where a part leaves its exports: the host's wrapper passes it in (web/parts.ts). */
declare const __isopodPartOut: { exports?: unknown };

const part = { URLPattern };
/** What web/parts.ts answers for this part. */
export type UrlPatternPart = typeof part;

__isopodPartOut.exports = part;
