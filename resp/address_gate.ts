// Counts the Redis door's open connections per client address, so that one
// client cannot take every connection the host will accept.

export class AddressGate {
  readonly #open = new Map<string, number>();
  readonly #max: number;

  constructor(maxPerAddress: number) {
    this.#max = maxPerAddress;
  }

  /** Takes a place for `address`; false when it already has its maximum. */
  enter(address: string): boolean {
    const count = this.#open.get(address) ?? 0;
    if (count >= this.#max) return false;
    this.#open.set(address, count + 1);
    return true;
  }

  leave(address: string): void {
    const count = (this.#open.get(address) ?? 1) - 1;
    if (count <= 0) this.#open.delete(address);
    else this.#open.set(address, count);
  }
}
