// What Deno gives every module, in a bundled package: import.meta per module
// (a file: URL Deno.readTextFile reads), data: imports, dynamic imports run once.

import assert from "node:assert/strict";
import { test } from "node:test";
import { addPackage } from "../helpers/add_package.ts";
import { useHost } from "../helpers/use_host.ts";

const FILES = {
  "mod.ts": `import { meta as libMeta, count } from "./lib/meta.ts";
import answer from "data:application/json,{\\"n\\":42}";
import { twice } from "data:text/javascript,export const twice = (x) => x * 2;";
export default {
  async fetch(): Promise<Response> {
    const first = await import("./lib/once.ts");
    const second = await import("./lib/once.ts");
    const inline = await import("data:text/javascript;base64," + "ZXhwb3J0IGRlZmF1bHQgNw==");
    return Response.json({
      url: import.meta.url.startsWith("file:///") && import.meta.url.endsWith("/mod.ts"),
      main: import.meta.main,
      lib: [libMeta.url.endsWith("/lib/meta.ts"), libMeta.main, libMeta.resolved.endsWith("/lib/x.txt")],
      text: await Deno.readTextFile(new URL("./lib/x.txt", import.meta.url)),
      bom: (await Deno.readTextFile(new URL("./lib/bom.txt", import.meta.url))).charCodeAt(0),
      data: [answer.n, twice(4)],
      once: [first === second, count(), first.runs],
      inline: inline.default,
    });
  },
};`,
  "lib/meta.ts": `let loads = 0;
export const count = () => loads;
export const meta = { url: import.meta.url, main: import.meta.main, resolved: import.meta.resolve("./x.txt") };`,
  "lib/once.ts": `export let runs = 0; runs++;`,
  "lib/x.txt": "beside the module",
  "lib/bom.txt": "\uFEFFwith a byte order mark",
};

test("import.meta is per module and readable by Deno.readTextFile; data: imports and dynamic imports work as in Deno", async (t) => {
  const testHost = await useHost(t);
  const pkg = await addPackage(t, testHost, "meta", { files: FILES, manifest: { permissions: { default: { read: ["./lib"] } } }, grant: { read: ["./lib"] } });
  const answer = await pkg.call("/");
  assert.equal(answer.status, 200, answer.text);
  assert.deepEqual(JSON.parse(answer.text), {
    url: true,
    main: true,
    lib: [true, false, true],
    text: "beside the module",
    bom: 0xfeff,
    data: [42, 8],
    once: [true, 0, 1],
    inline: 7,
  });
});

test("a data: import of something that is not a module fails the add with the reason", async (t) => {
  const testHost = await useHost(t);
  const { writePackage } = await import("../helpers/package_fixture.ts");
  const { useTmp } = await import("../helpers/use_tmp.ts");
  const root = await writePackage(await useTmp(t, "isopod-pkg-"), "baddata", { files: { "mod.ts": `import x from "data:image/png;base64,AAAA"; export default { x };` } });
  const added = await testHost.json("POST", "/v1/packages", { body: { path: root } });
  assert.equal(added.status, 422, JSON.stringify(added.body));
  assert.match(JSON.stringify(added.body), /media type \\"image\/png\\" is not a module/);
});
