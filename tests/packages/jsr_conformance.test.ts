// JSR and TSX conformance: the real `deno serve -P`, pointed at the same loopback
// JSR and npm registries (JSR_URL, NPM_CONFIG_REGISTRY, its own DENO_DIR), and isopod answer the same.

import assert from "node:assert/strict";
import path from "node:path";
import { test } from "node:test";
import { denoServe } from "../helpers/clients/deno_serve.ts";
import { useFakeJsr } from "../helpers/registries/fake_jsr.ts";
import { useFakeNpm } from "../helpers/registries/fake_npm.ts";
import { HONO, publishJsrFixtures } from "../helpers/registries/jsr_fixtures.ts";
import { addAndStart, useNpmHost } from "../helpers/registries/npm_host.ts";
import { writePackage } from "../helpers/package_fixture.ts";
import { useTmp } from "../helpers/use_tmp.ts";

interface App {
  manifest: Record<string, unknown>;
  files: Record<string, string>;
  paths: string[];
  entry?: string;
  /** The answer to the first path, so that two identical failures cannot pass. */
  first: string;
}

const APPS: Record<string, App> = {
  "direct jsr: imports with subpaths": {
    manifest: { name: "@me/direct", exports: "./main.ts" },
    files: {
      "main.ts": [
        'import { greet } from "jsr:@acme/greet@^1";',
        'import { x } from "jsr:@acme/greet@^1/x";',
        'import { base } from "jsr:@acme/base@1.0";',
        "export default { fetch: () => new Response(`${greet(\"deno\")} ${x} ${base(\"old\")}`) };",
      ].join("\n"),
    },
    paths: ["/"],
    first: "[hi deno 4!] 42 [old]",
  },
  "an import-mapped JSR app whose package imports JSR and npm packages": {
    manifest: { name: "@me/mapped", exports: "./main.ts", imports: { "@acme/greet": "jsr:@acme/greet@^1", hono: "npm:hono@^4" } },
    files: {
      "main.ts": [
        'import { Hono } from "hono";',
        'import { greet } from "@acme/greet";',
        'import { x } from "@acme/greet/x";',
        "const app = new Hono();",
        'app.get("/", (c) => c.text(greet("hono")));',
        'app.get("/x", (c) => c.json({ x, who: c.req.query("who") ?? null }));',
        "export default app;",
      ].join("\n"),
    },
    paths: ["/", "/x?who=me", "/missing"],
    first: "<hi hono 4!>",
  },
  "a TSX app with react-jsx and a jsxImportSource from the import map": {
    manifest: { name: "@me/tsx", exports: "./main.tsx", imports: { hono: "npm:hono@^4" }, compilerOptions: { jsx: "react-jsx", jsxImportSource: "hono/jsx" } },
    entry: "main.tsx",
    files: {
      "main.tsx": [
        'import { Hono } from "hono";',
        "const Item = (props: { name: string }) => <li class=\"item\">{props.name} &amp; co</li>;",
        "const app = new Hono();",
        'app.get("/", (c) => c.html(<ul><>{["a", "<b>"].map((n) => <Item name={n} />)}</></ul>));',
        "export default app;",
      ].join("\n"),
    },
    paths: ["/"],
    first: '<ul><li class="item">a &amp; co</li><li class="item">&lt;b&gt; &amp; co</li></ul>',
  },
  "a TSX app with classic jsxFactory and jsxFragmentFactory": {
    manifest: { name: "@me/classic", exports: "./main.tsx", compilerOptions: { jsx: "react", jsxFactory: "h", jsxFragmentFactory: "Frag" } },
    entry: "main.tsx",
    files: {
      "main.tsx": [
        "const Frag = Symbol(\"fragment\");",
        "type Node = string | { tag: unknown; props: Record<string, unknown> | null; children: Node[] };",
        "const h = (tag: unknown, props: Record<string, unknown> | null, ...children: Node[]): Node => ({ tag, props, children });",
        "const show = (node: Node): string => typeof node === \"string\" ? node : `${node.tag === Frag ? \"frag\" : String(node.tag)}(${node.children.map(show).join(\",\")})`;",
        "export default { fetch: () => new Response(show(<div><>{\"x\"}<b>y</b></></div>)) };",
      ].join("\n"),
    },
    paths: ["/"],
    first: "div(frag(x,b(y)))",
  },
};

for (const [title, app] of Object.entries(APPS)) {
  test(`${title} answers in isopod as under deno serve`, async (t) => {
    const [jsr, npm] = [await useFakeJsr(t), await useFakeNpm(t)];
    await publishJsrFixtures(jsr, npm);
    await npm.publish("hono", "4.13.19", { folder: HONO });
    const tmp = await useTmp(t, "isopod-jsr-conformance-");
    const root = await writePackage(tmp, "app", { manifest: app.manifest, files: app.files });
    const env = { JSR_URL: jsr.url, NPM_CONFIG_REGISTRY: `${npm.url}/`, DENO_DIR: path.join(tmp, "deno_dir") };
    const deno = await denoServe(t, root, { entry: app.entry ?? "main.ts", env });
    const host = await useNpmHost(t, npm, {}, jsr);
    await addAndStart(host, root);
    const name = app.manifest.name as string;
    assert.equal(await (await fetch(`${deno.url}${app.paths[0]}`)).text(), app.first);
    for (const pathname of app.paths) {
      const expected = await fetch(`${deno.url}${pathname}`);
      const actual = await host.request("GET", `/pkg/${name}${pathname}`, { token: null });
      assert.equal(actual.status, expected.status, pathname);
      assert.equal(actual.headers.get("content-type"), expected.headers.get("content-type"), pathname);
      assert.equal(await actual.text(), await expected.text(), pathname);
    }
  });
}
