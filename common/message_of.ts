// Reads a message from anything thrown, including non-Error values from
// untrusted code: the one way every layer turns an error into text.

export function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (typeof error === "string") return error;
  try {
    return JSON.stringify(error) ?? String(error);
  } catch {
    return String(error);
  }
}
