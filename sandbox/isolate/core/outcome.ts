// Reads an error's name and message without trusting it: getters may throw.

import type { ErrorMessage } from "./bridge.ts";

export function outcomeOf(error: unknown): ErrorMessage {
  try {
    if (error instanceof Error) return { name: String(error.name), message: String(error.message) };
    return { name: "Error", message: `Uncaught ${typeof error === "string" ? error : String(error)}` };
  } catch {
    return { name: "Error", message: "an error was thrown whose message cannot be read" };
  }
}
