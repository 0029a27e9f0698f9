// File: a Blob with a name and a modification time (File API standard).
// Also the default export that formdata-polyfill imports as "fetch-blob/file.js".

import { Blob, type BlobPropertyBag } from "./blob.ts";

export interface FilePropertyBag extends BlobPropertyBag {
  lastModified?: number;
}

export class File extends Blob {
  #name: string;
  #lastModified: number;

  constructor(fileBits: unknown, fileName: string, options: FilePropertyBag = {}) {
    if (arguments.length < 2) throw new TypeError(`Failed to construct 'File': 2 arguments required, but only ${arguments.length} present.`);
    super(fileBits, options);
    this.#name = String(fileName);
    const modified = options?.lastModified;
    this.#lastModified = modified === undefined ? Date.now() : Math.trunc(Number(modified)) || 0;
  }

  get name(): string {
    return this.#name;
  }

  get lastModified(): number {
    return this.#lastModified;
  }
}

Object.defineProperty(File.prototype, Symbol.toStringTag, { value: "File", configurable: true });

export default File;
