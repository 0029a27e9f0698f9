// Blob, File, FormData, CustomEvent and URLPattern inside a package: uploads
// parsed by request.formData(), forms sent as bodies with their boundary.

import assert from "node:assert/strict";
import { test } from "node:test";
import { addPackage } from "../helpers/add_package.ts";
import { useHost, useServer } from "../helpers/use_host.ts";

const FORMS = `
export default {
  async fetch(request: Request): Promise<Response> {
    const path = new URL(request.url).pathname;
    if (path === "/upload") {
      const form = await request.formData();
      const out: unknown[] = [];
      for (const [name, value] of form) {
        out.push(typeof value === "string" ? [name, value] : [name, value.name, value.type, value.size, await value.text(), value instanceof File, value instanceof Blob]);
      }
      return Response.json(out);
    }
    if (path === "/roundtrip") {
      const form = new FormData();
      form.append("a", "1");
      form.append("f", new File(["hello"], "h.txt", { type: "text/plain" }));
      form.append("b", new Blob(["xy"]));
      const response = new Response(form);
      const type = response.headers.get("content-type")!;
      const back = await response.formData();
      const file = back.get("f") as File;
      return Response.json({ multipart: type.startsWith("multipart/form-data; boundary="), a: back.get("a"), f: [file.name, await file.text()], b: (back.get("b") as File).name });
    }
    if (path === "/blob") {
      const blob = await new Response("abcdef", { headers: { "content-type": "text/x-a" } }).blob();
      const slice = blob.slice(1, -1, "text/y");
      const event = new CustomEvent("x", { detail: { n: 1 } });
      const pattern = new URLPattern({ pathname: "/books/:id" });
      return Response.json({ size: blob.size, type: blob.type, slice: [await slice.text(), slice.type], detail: event.detail,
        id: pattern.exec("https://x.test/books/42")?.pathname.groups.id, body: await new Response(new Blob(["b!"], { type: "text/b" })).text() });
    }
    return new Response("?", { status: 404 });
  },
};
`;

test("request.formData() reads multipart uploads and urlencoded forms; a FormData body round-trips with its boundary", async (t) => {
  const testHost = await useHost(t);
  const pkg = await addPackage(t, testHost, "forms", { files: { "mod.ts": FORMS } });
  const server = await useServer(t, testHost);
  const form = new FormData();
  form.append("field", "välue");
  form.append("upload", new File(["file body"], "up.txt", { type: "text/plain" }));
  const uploaded = await fetch(`${server.url}/pkg/${pkg.name}/upload`, { method: "POST", body: form });
  assert.deepEqual(await uploaded.json(), [["field", "välue"], ["upload", "up.txt", "text/plain", 9, "file body", true, true]]);
  const urlencoded = await fetch(`${server.url}/pkg/${pkg.name}/upload`, {
    method: "POST",
    body: "a=1&b=x+y",
    headers: { "content-type": "application/x-www-form-urlencoded" },
  });
  assert.deepEqual(await urlencoded.json(), [["a", "1"], ["b", "x y"]]);
  const roundtrip = await pkg.call("/roundtrip");
  assert.deepEqual(JSON.parse(roundtrip.text), { multipart: true, a: "1", f: ["h.txt", "hello"], b: "blob" });
  const blob = await pkg.call("/blob");
  assert.deepEqual(JSON.parse(blob.text), { size: 6, type: "text/x-a", slice: ["bcde", "text/y"], detail: { n: 1 }, id: "42", body: "b!" });
});

test("a body that is not a form fails formData() with a TypeError, and the package serves on", async (t) => {
  const testHost = await useHost(t);
  const pkg = await addPackage(t, testHost, "forms", { files: { "mod.ts": FORMS } });
  const server = await useServer(t, testHost);
  const bad = await fetch(`${server.url}/pkg/${pkg.name}/upload`, {
    method: "POST",
    body: "--x\r\nbroken",
    headers: { "content-type": "multipart/form-data" },
  });
  assert.equal(bad.status, 500);
  assert.equal((await pkg.call("/blob")).status, 200);
});
