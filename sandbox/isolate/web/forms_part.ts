// FormData (formdata-polyfill) and the multipart parser, built as a script of
// their own: the host runs it in an isolate on its first Blob, File or FormData (web/form_data.ts).

import { MultipartParseError, parseMultipart } from "@remix-run/multipart-parser";
import { FormData, formDataToBlob } from "formdata-polyfill/esm.min.js";

/** Where a part leaves its exports: the host's wrapper passes it in (web/parts.ts). */
declare const __isopodPartOut: { exports?: unknown };

const part = { FormData, formDataToBlob, MultipartParseError, parseMultipart };
/** What web/parts.ts answers for this part. */
export type FormsPart = typeof part;

__isopodPartOut.exports = part;
