// FormData and its two body formats: the class and multipart serialization
// from formdata-polyfill, parsing by @remix-run/multipart-parser and URLSearchParams.

import type { FormsPart } from "./forms_part.ts";
import { Blob, bytesOfBlob } from "./blob.ts";
import { File } from "./file.ts";
import { runPart } from "./parts.ts";

// The libraries are a part of their own (forms_part.ts), run when this module is first needed (web/lazy.ts).
const { FormData, formDataToBlob, MultipartParseError, parseMultipart } = runPart("forms", { Blob, File }) as FormsPart;
type FormData = InstanceType<typeof FormData>;

export { Blob, bytesOfBlob, File, FormData };

/** Most parts one body may hold, and the largest header of a part: a hostile body fails early. */
const LIMITS = { maxParts: 10_000, maxHeaderSize: 8 * 1024 };

/** A FormData as a multipart body: its bytes and its content type with the boundary. */
export function serializeFormData(form: FormData): { bytes: Uint8Array; type: string } {
  const blob = formDataToBlob(form, Blob) as unknown as Blob;
  return { bytes: bytesOfBlob(blob), type: blob.type };
}

function boundaryOf(type: string): string {
  const match = /;\s*boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(type);
  const boundary = match?.[1] ?? match?.[2];
  if (!boundary) throw new TypeError("Missing boundary parameter in mime type of multipart formdata.");
  return boundary;
}

function parseMultipartBody(bytes: Uint8Array, type: string): FormData {
  const form = new FormData();
  try {
    for (const part of parseMultipart(bytes, { boundary: boundaryOf(type), ...LIMITS })) {
      const name = part.name ?? "";
      const filename = part.filename;
      if (filename === undefined) form.append(name, part.text);
      else form.append(name, new File([part.bytes], filename, { type: part.headers["content-type"] ?? "application/octet-stream" }));
    }
  } catch (error) {
    if (error instanceof MultipartParseError) throw new TypeError(`Body can not be decoded as form data: ${error.message}`);
    throw error;
  }
  return form;
}

/** `request.formData()` / `response.formData()`: the body read by its content type, as in Deno. */
export function parseFormData(bytes: Uint8Array, contentType: string | null): FormData {
  const type = contentType ?? "";
  const essence = type.split(";")[0]!.trim().toLowerCase();
  if (essence === "multipart/form-data") return parseMultipartBody(bytes, type);
  if (essence === "application/x-www-form-urlencoded") {
    const form = new FormData();
    for (const [name, value] of new URLSearchParams(new TextDecoder().decode(bytes))) form.append(name, value);
    return form;
  }
  throw new TypeError("Body can not be decoded as form data");
}
