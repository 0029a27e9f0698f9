// serve: a server written the way most Deno servers are, with Deno.serve at
// module top level. `deno run -P main.ts` serves it (listening needs net there); an isopod host serves it at /pkg/@isopod/serve/.

Deno.serve((request: Request): Response => {
  const url = new URL(request.url);
  if (url.pathname === "/health") return new Response("ok");
  return Response.json({ method: request.method, path: url.pathname });
});
