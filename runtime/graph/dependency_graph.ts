// Which package depends on which: the order to start (dependencies first) or
// stop (dependents first) a set of packages in, and the cycles that forbid one.

import { strongComponents } from "./_strong_components.ts";

/** A dependency cycle, as a path that ends where it starts: `["@a/x", "@a/y", "@a/x"]`. */
export type CyclePath = readonly string[];

/** `@a/x -> @a/y -> @a/x`: how messages name a cycle. */
export function cycleText(path: CyclePath): string {
  return path.join(" -> ");
}

export interface Ordering {
  /** Every given name once, each after its dependencies; members of one cycle side by side. */
  order: string[];
  /** For each given name that lies on a cycle, the shortest such cycle, starting at its smallest name. */
  cycles: Map<string, CyclePath>;
}

export class DependencyGraph {
  readonly #dependencies: ReadonlyMap<string, readonly string[]>;
  readonly #dependents = new Map<string, string[]>();

  /** `dependencies` maps each package to the names it declares; a name may be absent from the keys. */
  constructor(dependencies: ReadonlyMap<string, readonly string[]>) {
    this.#dependencies = dependencies;
    for (const [name, needs] of dependencies) {
      for (const need of needs) {
        const list = this.#dependents.get(need) ?? [];
        list.push(name);
        this.#dependents.set(need, list);
      }
    }
  }

  /** A graph from `[package, its dependencies]` pairs. */
  static of(entries: Iterable<readonly [string, Iterable<string>]>): DependencyGraph {
    const map = new Map<string, string[]>();
    for (const [name, needs] of entries) map.set(name, [...new Set(needs)].sort());
    return new DependencyGraph(map);
  }

  /** The same graph with the dependencies of some packages replaced, as a reload would leave it. */
  with(replaced: ReadonlyMap<string, Iterable<string>>): DependencyGraph {
    return DependencyGraph.of([...this.#dependencies, ...replaced]);
  }

  has(name: string): boolean {
    return this.#dependencies.has(name);
  }

  get names(): string[] {
    return [...this.#dependencies.keys()];
  }

  /** What `name` declares, installed or not. */
  dependenciesOf(name: string): readonly string[] {
    return this.#dependencies.get(name) ?? [];
  }

  /** The packages that declare `name`. */
  dependentsOf(name: string): readonly string[] {
    return this.#dependents.get(name) ?? [];
  }

  /** `names` and everything they depend on, transitively (names not in the graph included as given). */
  withDependencies(names: Iterable<string>): Set<string> {
    return this.#reach(names, (name) => this.dependenciesOf(name));
  }

  /** `names` and everything that depends on them, transitively. */
  withDependents(names: Iterable<string>): Set<string> {
    return this.#reach(names, (name) => this.dependentsOf(name));
  }

  #reach(from: Iterable<string>, next: (name: string) => readonly string[]): Set<string> {
    const seen = new Set(from);
    const queue = [...seen];
    for (let i = 0; i < queue.length; i++) {
      for (const other of next(queue[i]!)) {
        if (!seen.has(other)) {
          seen.add(other);
          queue.push(other);
        }
      }
    }
    return seen;
  }

  /**
   * Orders `names` (default: every package) by the edges among them, dependencies first.
   * Reverse the order to stop dependents first.
   * @example
   * DependencyGraph.of([["app", ["base"]], ["base", []]]).order().order; // ["base", "app"]
   */
  order(names: Iterable<string> = this.#dependencies.keys()): Ordering {
    const subset = new Set(names);
    const within = (name: string) => this.dependenciesOf(name).filter((need) => subset.has(need));
    const components = strongComponents([...subset].sort(), within);
    const cycles = new Map<string, CyclePath>();
    for (const component of components) {
      const [only] = component;
      if (component.length === 1 && !within(only!).includes(only!)) continue;
      const members = new Set(component);
      for (const member of component) {
        cycles.set(member, shortestCycle(member, (name) => within(name).filter((need) => members.has(need))));
      }
    }
    return { order: components.flat(), cycles };
  }
}

/** The shortest cycle through `start` (breadth first), rotated to begin at its smallest name. */
function shortestCycle(start: string, next: (name: string) => string[]): CyclePath {
  const parent = new Map<string, string>();
  const queue = [start];
  for (let i = 0; i < queue.length; i++) {
    const name = queue[i]!;
    for (const need of next(name)) {
      if (need === start) return canonical(pathTo(name, parent, start));
      if (!parent.has(need)) {
        parent.set(need, name);
        queue.push(need);
      }
    }
  }
  return [start, start];
}

function pathTo(last: string, parent: Map<string, string>, start: string): string[] {
  const path = [last];
  while (path[0] !== start) path.unshift(parent.get(path[0]!)!);
  return path;
}

function canonical(loop: string[]): CyclePath {
  const first = loop.indexOf([...loop].sort()[0]!);
  const rotated = [...loop.slice(first), ...loop.slice(0, first)];
  return [...rotated, rotated[0]!];
}
