// visits: counts visits per path in @isopod/kv-store's counters, which it may
// use because it declares that package in isopod.dependencies. Start it and kv-store starts first.

interface Counters {
  increment(key: string): Promise<number>;
}
interface Context {
  registry: { use(pkg: string, name: string): Promise<Counters> };
}

let counters: Counters | undefined;

export default {
  async start(ctx: Context) {
    counters = await ctx.registry.use("@isopod/kv-store", "counters");
  },

  async fetch(request: Request): Promise<Response> {
    const path = new URL(request.url).pathname;
    const visits = counters ? await counters.increment(path) : 0;
    return Response.json({ path, visits });
  },
};
