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
