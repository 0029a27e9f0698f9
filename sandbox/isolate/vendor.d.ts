// Types for event-target-shim, whose own .d.ts its package.json "exports" hides
// from NodeNext resolution; only what the runtime uses.

declare module "event-target-shim" {
  type Listener = ((event: Event) => void) | { handleEvent(event: Event): void } | null | undefined;
  type ListenerOptions = boolean | { capture?: boolean; once?: boolean; passive?: boolean; signal?: unknown };

  export class Event {
    constructor(type: string, init?: { bubbles?: boolean; cancelable?: boolean; composed?: boolean });
    readonly type: string;
    readonly defaultPrevented: boolean;
    preventDefault(): void;
    stopPropagation(): void;
    stopImmediatePropagation(): void;
  }

  export class EventTarget {
    addEventListener(type: string, listener: Listener, options?: ListenerOptions): void;
    removeEventListener(type: string, listener: Listener, options?: ListenerOptions): void;
    dispatchEvent(event: Event): boolean;
  }
}

// formdata-polyfill's own .d.ts names the DOM's FormData, which this folder has no types for.
declare module "formdata-polyfill/esm.min.js" {
  export class FormData implements Iterable<[string, unknown]> {
    append(name: string, value: unknown, filename?: string): void;
    delete(name: string): void;
    get(name: string): unknown;
    getAll(name: string): unknown[];
    has(name: string): boolean;
    set(name: string, value: unknown, filename?: string): void;
    forEach(callback: (value: unknown, name: string, form: FormData) => void): void;
    entries(): IterableIterator<[string, unknown]>;
    [Symbol.iterator](): IterableIterator<[string, unknown]>;
  }
  export function formDataToBlob(form: FormData, blobClass?: unknown): unknown;
}
