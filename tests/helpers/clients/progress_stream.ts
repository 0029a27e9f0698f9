// Reads an add streamed as NDJSON (Accept: application/x-ndjson) from a real
// server: the status, the content type, and every line parsed, with the steps apart.

export interface StreamedAnswer {
  status: number;
  contentType: string;
  lines: any[];
  /** The step lines, without their `type`. */
  steps: any[];
  /** The last line: the result or the error. */
  last: any;
}

export const NDJSON_ACCEPT = { accept: "application/x-ndjson", "content-type": "application/json" };

export async function streamedAdd(url: string, token: string, body: unknown): Promise<StreamedAnswer> {
  const response = await fetch(`${url}/v1/packages`, {
    method: "POST",
    headers: { ...NDJSON_ACCEPT, authorization: `Bearer ${token}` },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(20_000),
  });
  const text = await response.text();
  const lines = text.split("\n").filter((line) => line !== "").map((line) => JSON.parse(line));
  const steps = lines.filter((line) => line.type === "step").map(({ type: _type, ...step }) => step);
  return { status: response.status, contentType: response.headers.get("content-type") ?? "", lines, steps, last: lines.at(-1) };
}

/** The steps' names in order, each once where it repeats in a row (updates of its counts). */
export function stepNames(steps: { step: string }[]): string[] {
  return steps.map((s) => s.step).filter((step, i, all) => step !== all[i - 1]);
}
