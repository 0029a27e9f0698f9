// The steps an add reports while it runs (streamed by `POST /v1/packages` on
// request), and the one line a person reads for each: shared by the host, the CLI and the dashboard's docs.

/** One step of an add, or an update of its counts; steps come in this order, some skipped. */
export type ProgressEvent =
  | { step: "resolving"; source: string }
  | { step: "downloading"; bytes: number; total?: number }
  | { step: "extracting"; files: number; bytes: number }
  | { step: "dependencies"; package: string; packages: number; bytes: number }
  | { step: "bundling" | "installing" | "starting"; package: string };

export type ProgressStep = ProgressEvent["step"];

export const PROGRESS_STEPS: readonly ProgressStep[] = ["resolving", "downloading", "extracting", "dependencies", "bundling", "installing", "starting"];

/** A byte count as people read it: `512 B`, `1.2 KiB`, `3.4 MiB`. */
export function bytesText(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ["KiB", "MiB", "GiB"];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}

const plural = (count: number, word: string) => `${count} ${word}${count === 1 ? "" : "s"}`;

/** The line for an event: `downloading 1.2 MiB of 3.0 MiB`, `resolving dependencies: 12 packages, 3.4 MiB`. */
export function progressText(event: ProgressEvent): string {
  switch (event.step) {
    case "resolving":
      return `resolving ${event.source}`;
    case "downloading":
      return `downloading ${bytesText(event.bytes)}${event.total === undefined ? "" : ` of ${bytesText(event.total)}`}`;
    case "extracting":
      return `extracting: ${plural(event.files, "file")}, ${bytesText(event.bytes)}`;
    case "dependencies":
      return `resolving dependencies: ${plural(event.packages, "package")}, ${bytesText(event.bytes)}`;
    default:
      return `${event.step} ${event.package}`;
  }
}

/** Events that update the same line (one step of one package) share this key. */
export function progressKey(event: ProgressEvent): string {
  return `${event.step}\0${"package" in event ? event.package : "source" in event ? event.source : ""}`;
}
