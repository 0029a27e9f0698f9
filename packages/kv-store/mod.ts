// kv-store: provides a small key-value store to the packages that declare it
// as a dependency, through the registry (ctx.registry.provide). See @isopod/visits.

interface Context {
  registry: { provide(name: string, methods: Record<string, (...args: never[]) => unknown>): void };
}

const values = new Map<string, number>();

export default {
  start(ctx: Context) {
    ctx.registry.provide("counters", {
      increment: (key: string) => {
        const next = (values.get(key) ?? 0) + 1;
        values.set(key, next);
        return next;
      },
      get: (key: string) => values.get(key) ?? 0,
    });
  },

  fetch(): Response {
    return Response.json(Object.fromEntries(values));
  },
};
