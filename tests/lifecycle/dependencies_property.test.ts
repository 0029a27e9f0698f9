// A property-based test (fast-check): random dependency graphs under random
// batches of start, stop, reload and delete. At every hook call and after
// every batch, the host keeps its promises, and ends where a simple model says.

import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { test } from "node:test";
import fc from "fast-check";
import { Store } from "../../db/index.ts";
import { configFromEnv } from "../../runtime/config.ts";
import { DependencyGraph } from "../../runtime/graph/dependency_graph.ts";
import { DataLayout } from "../../runtime/layout.ts";
import { PackageManager } from "../../runtime/lifecycle/package_manager.ts";
import { writePackage } from "../helpers/package_fixture.ts";
import { RecordingSandbox, type HookCall } from "../helpers/recording_sandbox.ts";

/** Runs per `npm test`; each builds a host with up to 7 packages and runs up to 8 batches. */
const RUNS = 40;

type Kind = "start" | "stop" | "reload" | "delete";
interface Step {
  kind: Kind;
  names: number[];
  cascade: boolean;
}
interface Scenario {
  size: number;
  edges: [number, number][];
  steps: Step[];
}

const scenarios: fc.Arbitrary<Scenario> = fc.integer({ min: 2, max: 7 }).chain((size) =>
  fc.record({
    size: fc.constant(size),
    // A pair [a, b] makes the larger one depend on the smaller: packages are added in index order, as they must be.
    edges: fc.array(fc.tuple(fc.nat(size - 1), fc.nat(size - 1)), { maxLength: size * 2 }),
    steps: fc.array(
      fc.record({
        kind: fc.constantFrom<Kind>("start", "stop", "reload", "delete"),
        names: fc.uniqueArray(fc.nat(size - 1), { minLength: 1, maxLength: 3 }),
        cascade: fc.boolean(),
      }),
      { minLength: 1, maxLength: 8 },
    ),
  }),
);

const nameOf = (i: number) => `p${i}`;

function graphOf(scenario: Scenario): DependencyGraph {
  const deps = new Map<string, Set<string>>();
  for (let i = 0; i < scenario.size; i++) deps.set(nameOf(i), new Set());
  for (const [a, b] of scenario.edges) if (a !== b) deps.get(nameOf(Math.max(a, b)))!.add(nameOf(Math.min(a, b)));
  return DependencyGraph.of([...deps].map(([name, set]) => [name, set]));
}

/** What the host should look like after each batch, kept by the simplest rules. */
class Model {
  readonly installed: Set<string>;
  running = new Set<string>();
  constructor(readonly graph: DependencyGraph) {
    this.installed = new Set(graph.names);
  }
  apply(step: Step, names: string[], refused: boolean): void {
    const known = (step.kind === "delete" ? names.slice(0, 1) : names).filter((name) => this.installed.has(name));
    if (step.kind === "start") for (const name of this.graph.withDependencies(known)) this.running.add(name);
    if (step.kind === "stop") for (const name of this.graph.withDependents(known)) this.running.delete(name);
    if (step.kind === "delete" && !refused) {
      for (const name of this.graph.withDependents(known)) {
        this.running.delete(name);
        this.installed.delete(name);
      }
    }
  }
  /** Whether `delete` of `name` without cascade must be refused. */
  hasDependents(name: string): boolean {
    return [...this.graph.withDependents([name])].some((other) => other !== name && this.installed.has(other));
  }
}

async function runScenario(scenario: Scenario): Promise<void> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "isopod-property-"));
  const store = new Store(path.join(dir, "isopod.db"), { logLinesPerPackage: 100 });
  const sandbox = new RecordingSandbox();
  try {
    const manager = new PackageManager(store, sandbox, new DataLayout(dir), { ...configFromEnv({}), dataDir: dir });
    const graph = graphOf(scenario);
    const model = new Model(graph);
    const actor = { name: "property" };
    for (let i = 0; i < scenario.size; i++) {
      const deps = Object.fromEntries(graph.dependenciesOf(nameOf(i)).map((d) => [d, "^1.0.0"]));
      const root = await writePackage(path.join(dir, "src"), nameOf(i), { manifest: { isopod: { dependencies: deps } } });
      await manager.add({ path: root }, actor);
    }
    // At the moment a hook runs: a starting package's dependencies are up, a stopping one's dependents are down.
    const violations: string[] = [];
    sandbox.beforeHook = ({ hook, name }: HookCall) => {
      if (hook === "start") {
        for (const need of graph.dependenciesOf(name)) if (!sandbox.live.has(need)) violations.push(`${name} started before ${need}`);
      }
      if (hook === "stop") {
        for (const dependent of graph.dependentsOf(name)) if (sandbox.live.has(dependent)) violations.push(`${name} stopped before ${dependent}`);
      }
    };
    for (const step of scenario.steps) {
      const names = step.names.map(nameOf);
      const runningBefore = new Set(sandbox.live);
      const firstCall = sandbox.calls.length;
      let refused = false;
      if (step.kind === "start") await manager.start(names, actor);
      if (step.kind === "stop") await manager.stop(names, actor);
      if (step.kind === "reload") await manager.reload(names, actor);
      if (step.kind === "delete") {
        const [name] = names;
        const mustRefuse = model.installed.has(name!) && !step.cascade && model.hasDependents(name!);
        const outcome = await manager.delete(name!, actor, { cascade: step.cascade }).then(() => "ok", (e: { code: string }) => e.code);
        refused = outcome !== "ok";
        if (mustRefuse) assert.equal(outcome, "has_dependents");
        else if (model.installed.has(name!)) assert.equal(outcome, "ok");
        else assert.equal(outcome, "not_found");
      }
      model.apply(step, names, refused);
      const calls = sandbox.calls.slice(firstCall);
      checkStep({ manager, sandbox, model, graph, step, names, calls, runningBefore, violations });
    }
  } finally {
    await sandbox.close();
    store.close();
    await rm(dir, { recursive: true, force: true });
  }
}

interface StepCheck {
  manager: PackageManager;
  sandbox: RecordingSandbox;
  model: Model;
  graph: DependencyGraph;
  step: Step;
  names: string[];
  calls: HookCall[];
  runningBefore: Set<string>;
  violations: string[];
}

function checkStep({ manager, sandbox, model, graph, step, names, calls, runningBefore, violations }: StepCheck): void {
  const where = `after ${step.kind} ${names.join(",")}`;
  assert.deepEqual(violations, [], where);
  const records = manager.list();
  const running = records.filter((r) => r.state === "running").map((r) => r.name).sort();
  // Every running package's dependencies are running, and the store agrees with the isolates.
  for (const name of running) for (const need of graph.dependenciesOf(name)) assert.ok(running.includes(need), `${where}: ${name} runs without ${need}`);
  assert.deepEqual(running, [...sandbox.live].sort(), `${where}: store and isolates disagree`);
  // The host ends where the model says, and remembers it as the desired state.
  assert.deepEqual(running, [...model.running].sort(), `${where}: running`);
  assert.deepEqual(records.map((r) => r.name).sort(), [...model.installed].sort(), `${where}: installed`);
  for (const r of records) assert.equal(r.desiredState, model.running.has(r.name) ? "running" : "stopped", `${where}: desired ${r.name}`);
  // Nothing ran twice; the recorded start order respects dependencies.
  const starts = calls.filter((c) => c.hook === "start").map((c) => c.name);
  assert.equal(new Set(starts).size, starts.length, `${where}: started twice in ${starts}`);
  starts.forEach((name, i) => {
    for (const need of graph.dependenciesOf(name)) {
      const at = starts.indexOf(need);
      assert.ok(at === -1 ? runningBefore.has(need) : at < i, `${where}: ${name} started before ${need} in ${starts}`);
    }
  });
  if (step.kind === "start") for (const name of starts) assert.ok(!runningBefore.has(name), `${where}: ${name} was already running`);
  if (step.kind === "reload") {
    const restarted = [...graph.withDependents(names.filter((n) => runningBefore.has(n)))].filter((n) => runningBefore.has(n));
    assert.deepEqual([...starts].sort(), restarted.sort(), `${where}: restarted`);
  }
}

test("random graphs under random batches keep every running package's dependencies running", { timeout: 120_000 }, async () => {
  await fc.assert(fc.asyncProperty(scenarios, runScenario), { numRuns: RUNS });
});
