// The dependency graph on its own: orders, closures, and cycles named the way
// error messages name them.

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { cycleText, DependencyGraph } from "./dependency_graph.ts";

const graph = (edges: Record<string, string[]>) => DependencyGraph.of(Object.entries(edges));

/** Asserts that every edge among `order`'s names points backwards (dependencies first). */
function assertDependenciesFirst(g: DependencyGraph, order: string[]): void {
  for (const name of order) {
    for (const need of g.dependenciesOf(name)) {
      if (order.includes(need)) assert.ok(order.indexOf(need) < order.indexOf(name), `${need} should come before ${name} in ${order}`);
    }
  }
}

describe("order()", () => {
  test("puts a chain's dependencies first", () => {
    const g = graph({ top: ["mid"], mid: ["base"], base: [] });
    assert.deepEqual(g.order().order, ["base", "mid", "top"]);
    assert.equal(g.order().cycles.size, 0);
  });

  test("puts a diamond's base first and its top last, each once", () => {
    const g = graph({ top: ["left", "right"], left: ["base"], right: ["base"], base: [] });
    const { order } = g.order();
    assert.equal(order.length, 4);
    assert.equal(order[0], "base");
    assert.equal(order[3], "top");
    assertDependenciesFirst(g, order);
  });

  test("orders only the given names, by the edges among them", () => {
    const g = graph({ a: ["b"], b: ["c"], c: [], d: ["a"] });
    assert.deepEqual(g.order(["d", "b"]).order.sort(), ["b", "d"]);
    assert.deepEqual(g.order(["a", "c", "b"]).order, ["c", "b", "a"]);
  });

  test("is the same whatever order the packages were given in", () => {
    const edges: [string, string[]][] = [["x", ["y", "z"]], ["y", ["z"]], ["z", []], ["w", []]];
    const first = DependencyGraph.of(edges).order().order;
    const second = DependencyGraph.of([...edges].reverse()).order().order;
    assert.deepEqual(first, second);
  });

  test("orders a chain 20,000 deep without overflowing the stack", () => {
    const names = Array.from({ length: 20_000 }, (_, i) => `p${i}`);
    const g = DependencyGraph.of(names.map((name, i) => [name, i === 0 ? [] : [names[i - 1]!]]));
    const { order, cycles } = g.order();
    assert.deepEqual(order, names);
    assert.equal(cycles.size, 0);
  });
});

describe("cycles", () => {
  test("a two-package cycle is named the same way for both members", () => {
    const { cycles } = graph({ "@a/y": ["@a/x"], "@a/x": ["@a/y"] }).order();
    assert.equal(cycleText(cycles.get("@a/x")!), "@a/x -> @a/y -> @a/x");
    assert.equal(cycleText(cycles.get("@a/y")!), "@a/x -> @a/y -> @a/x");
  });

  test("a package that depends on itself is a cycle of one", () => {
    const { cycles, order } = graph({ a: ["a"], b: [] }).order();
    assert.deepEqual(cycles.get("a"), ["a", "a"]);
    assert.equal(cycles.has("b"), false);
    assert.deepEqual(order.sort(), ["a", "b"]);
  });

  test("a cycle inside a larger graph marks only its members, and everyone is still ordered", () => {
    const g = graph({ base: [], x: ["base", "z"], y: ["x"], z: ["y"], app: ["base"], web: ["app", "x"] });
    const { order, cycles } = g.order();
    assert.deepEqual([...cycles.keys()].sort(), ["x", "y", "z"]);
    assert.equal(cycleText(cycles.get("y")!), "x -> z -> y -> x");
    assert.deepEqual([...order].sort(), ["app", "base", "web", "x", "y", "z"]);
    assert.ok(order.indexOf("base") < order.indexOf("app"));
    assert.ok(order.indexOf("app") < order.indexOf("web"));
    for (const member of ["x", "y", "z"]) assert.ok(order.indexOf(member) < order.indexOf("web"));
  });

  test("each member of a knot of cycles gets the shortest cycle through it", () => {
    const { cycles } = graph({ a: ["b"], b: ["a", "c"], c: ["d"], d: ["b"] }).order();
    assert.equal(cycleText(cycles.get("a")!), "a -> b -> a");
    assert.equal(cycleText(cycles.get("c")!), "b -> c -> d -> b");
    assert.equal(cycles.size, 4);
  });

  test("a cycle is only seen among the given names", () => {
    const g = graph({ a: ["b"], b: ["a"], c: [] });
    assert.equal(g.order(["a", "c"]).cycles.size, 0);
  });
});

describe("closures and neighbours", () => {
  const g = graph({ top: ["left", "right"], left: ["base"], right: ["base"], base: [], other: [] });

  test("withDependencies() takes in everything a package needs, transitively", () => {
    assert.deepEqual([...g.withDependencies(["left"])].sort(), ["base", "left"]);
    assert.deepEqual([...g.withDependencies(["top"])].sort(), ["base", "left", "right", "top"]);
  });

  test("withDependents() takes in everything that needs a package, transitively", () => {
    assert.deepEqual([...g.withDependents(["base"])].sort(), ["base", "left", "right", "top"]);
    assert.deepEqual([...g.withDependents(["other"])], ["other"]);
  });

  test("a name the graph does not know is kept as given", () => {
    assert.deepEqual([...g.withDependencies(["ghost"])], ["ghost"]);
    assert.deepEqual(g.dependenciesOf("ghost"), []);
  });

  test("with() replaces one package's dependencies and leaves the original alone", () => {
    const changed = g.with(new Map([["base", ["top"]]]));
    assert.equal(changed.order().cycles.size, 4);
    assert.equal(g.order().cycles.size, 0);
    assert.deepEqual(changed.dependentsOf("top"), ["base"]);
  });
});

describe("edges", () => {
  test("of() keeps each declared dependency once, sorted", () => {
    const g = DependencyGraph.of([["app", ["b", "a", "b"]]]);
    assert.deepEqual(g.dependenciesOf("app"), ["a", "b"]);
    assert.deepEqual(g.dependentsOf("b"), ["app"], "a repeated declaration is one dependent");
  });

  test("a dependency that is not installed is known to its dependents but is neither a package nor ordered", () => {
    const g = graph({ app: ["missing"] });
    assert.equal(g.has("missing"), false);
    assert.deepEqual(g.names, ["app"]);
    assert.deepEqual(g.dependentsOf("missing"), ["app"]);
    assert.deepEqual(g.order(), { order: ["app"], cycles: new Map() });
  });

  test("ordering no names gives an empty order and no cycles", () => {
    assert.deepEqual(graph({ a: ["b"], b: ["a"] }).order([]), { order: [], cycles: new Map() });
  });

  test("closures end on a cycle instead of going round it", () => {
    const g = graph({ a: ["b"], b: ["c"], c: ["a"] });
    assert.deepEqual([...g.withDependencies(["a"])].sort(), ["a", "b", "c"]);
    assert.deepEqual([...g.withDependents(["a"])].sort(), ["a", "b", "c"]);
  });

  test("a package that depends on itself is a cycle even when ordered alone", () => {
    assert.deepEqual(graph({ a: ["a"], b: ["a"] }).order(["a"]).cycles.get("a"), ["a", "a"]);
  });

  test("cycleText joins a cycle's names with arrows", () => {
    assert.equal(cycleText(["@a/x", "@a/y", "@a/x"]), "@a/x -> @a/y -> @a/x");
    assert.equal(cycleText([]), "");
  });
});
