// Tarjan's strongly connected components, without recursion, so a chain of
// any depth cannot overflow the stack. Private to dependency_graph.ts.
//
// Why not the `toposort` package: it recurses once per link of a chain (a
// 10,000-deep chain overflows the stack, measured) and stops at the first
// cycle naming one node, where the host must name every cycle and go on.
// Tarjan's algorithm gives both at once: it emits each component after every
// component it can reach, which is a dependencies-first order.

interface Frame {
  node: string;
  edges: readonly string[];
  next: number;
}

/**
 * The strongly connected components of the graph `next` spans from `nodes`,
 * each sorted, in an order where a component comes after all it reaches.
 * Deterministic for a given order of `nodes` and of each `next(node)`.
 */
export function strongComponents(nodes: readonly string[], next: (node: string) => readonly string[]): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  const work: Frame[] = [];

  const enter = (node: string) => {
    index.set(node, index.size);
    low.set(node, index.get(node)!);
    stack.push(node);
    onStack.add(node);
    work.push({ node, edges: next(node), next: 0 });
  };

  const leave = (frame: Frame) => {
    work.pop();
    const parent = work.at(-1);
    if (parent) low.set(parent.node, Math.min(low.get(parent.node)!, low.get(frame.node)!));
    if (low.get(frame.node) !== index.get(frame.node)) return;
    const component: string[] = [];
    let member: string;
    do {
      member = stack.pop()!;
      onStack.delete(member);
      component.push(member);
    } while (member !== frame.node);
    components.push(component.sort());
  };

  for (const root of nodes) {
    if (index.has(root)) continue;
    enter(root);
    while (work.length > 0) {
      const frame = work.at(-1)!;
      if (frame.next === frame.edges.length) {
        leave(frame);
        continue;
      }
      const child = frame.edges[frame.next++]!;
      if (!index.has(child)) enter(child);
      else if (onStack.has(child)) low.set(frame.node, Math.min(low.get(frame.node)!, index.get(child)!));
    }
  }
  return components;
}
