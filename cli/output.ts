// What the CLI prints: tables for people, the API's JSON for scripts (--json),
// and progress on stderr while a long operation runs.

import type { Writable } from "node:stream";
import { StepLines } from "./step_lines.ts";

export interface OutputOptions {
  json?: boolean;
  quiet?: boolean;
}

/** Pads columns to their widest cell; the header row is upper case. */
export function table(headers: string[], rows: string[][]): string {
  const all = [headers.map((h) => h.toUpperCase()), ...rows];
  const widths = headers.map((_, i) => Math.max(...all.map((row) => (row[i] ?? "").length)));
  return all.map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]!))).join("  ").trimEnd()).join("\n");
}

/** A time from the API (ISO text or epoch milliseconds) in a short local-free form. */
export function timeText(value: unknown): string {
  if (value === null || value === undefined) return "-";
  const date = new Date(typeof value === "number" ? value : String(value));
  return Number.isNaN(date.getTime()) ? String(value) : date.toISOString().replace("T", " ").replace(/\.\d+Z$/, "Z");
}

/** Any JSON value as "key: value" lines, for answers whose shape this CLI does not know. */
export function flatten(value: unknown, prefix = ""): string[] {
  if (value !== null && typeof value === "object" && !Array.isArray(value)) {
    return Object.entries(value).flatMap(([key, item]) => flatten(item, prefix ? `${prefix}.${key}` : key));
  }
  const text = typeof value === "string" ? value : JSON.stringify(value);
  return [prefix ? `${prefix}: ${text}` : text];
}

const FRAMES = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

export class Output {
  readonly json: boolean;
  readonly quiet: boolean;
  readonly #stdout: Writable & { isTTY?: boolean };
  readonly #stderr: Writable & { isTTY?: boolean };

  constructor(options: OutputOptions, stdout: Writable = process.stdout, stderr: Writable = process.stderr) {
    this.json = options.json ?? false;
    this.quiet = options.quiet ?? false;
    this.#stdout = stdout;
    this.#stderr = stderr;
  }

  /** The answer: as JSON under --json, otherwise the human lines. */
  result(value: unknown, human: () => string | string[]): void {
    if (this.json) {
      this.#stdout.write(`${JSON.stringify(value, null, 2)}\n`);
      return;
    }
    const text = human();
    const lines = Array.isArray(text) ? text : [text];
    if (lines.length > 0) this.#stdout.write(`${lines.join("\n")}\n`);
  }

  /** One JSON value per line (NDJSON) under --json, else the human line: for streams. */
  streamItem(value: unknown, human: string): void {
    this.#stdout.write(`${this.json ? JSON.stringify(value) : human}\n`);
  }

  /** A remark for people, on stderr so that stdout stays the answer. */
  note(text: string): void {
    if (!this.quiet) this.#stderr.write(`${text}\n`);
  }

  /** Where an operation's steps are written (stderr), or undefined under --quiet. */
  stepLines(): StepLines | undefined {
    return this.quiet ? undefined : new StepLines(this.#stderr, this.#stderr.isTTY === true);
  }

  error(text: string, body: unknown): void {
    if (this.json) this.#stdout.write(`${JSON.stringify(body, null, 2)}\n`);
    this.#stderr.write(`isopod: ${text}\n`);
  }

  /**
   * Shows that `work` is going on: a spinner with the elapsed time on a terminal;
   * elsewhere (logs, CI) a line after 2 s and every 10 s after that.
   */
  async progress<T>(label: string, work: Promise<T>): Promise<T> {
    if (this.quiet) return work;
    const started = Date.now();
    const seconds = () => ((Date.now() - started) / 1000).toFixed(1);
    let timer: NodeJS.Timeout;
    if (this.#stderr.isTTY) {
      let frame = 0;
      timer = setInterval(() => this.#stderr.write(`\r${FRAMES[frame++ % FRAMES.length]} ${label} (${seconds()} s)\x1b[K`), 100);
    } else {
      let next = 2_000;
      timer = setInterval(() => {
        if (Date.now() - started < next) return;
        next += 10_000;
        this.#stderr.write(`isopod: still ${label} (${seconds()} s)\n`);
      }, 250);
    }
    try {
      return await work;
    } finally {
      clearInterval(timer);
      if (this.#stderr.isTTY) this.#stderr.write("\r\x1b[K");
    }
  }
}
