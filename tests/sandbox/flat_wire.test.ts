// Request and response heads as strings on the host-thread path (sandbox/isolate/core/flat_wire.ts): what
// goes in comes out, bytes of every value survive, and a garbled string from a hostile isolate is refused.

import assert from "node:assert/strict";
import { test } from "node:test";
import { isolateSpec } from "../helpers/isolate_spec.ts";
import {
  answerOfFlat,
  answersOfBatch,
  batchOfAnswers,
  batchOfRequests,
  FLAT_BODY_MAX,
  flatAnswer,
  flatHeaders,
  headersOfFlat,
  NOT_FLAT,
  NOT_YET,
  requestsOfBatch,
} from "../../sandbox/isolate/core/flat_wire.ts";
import type { ResponseHead } from "../../sandbox/isolate/core/bridge.ts";
import { LocalSandbox, SandboxFailure, type IsolateSpec } from "../../sandbox/index.ts";

const bytesOf = (chars: string) => new Uint8Array(Buffer.from(chars, "latin1"));

test("a response head and every byte of its body survive the flat form", () => {
  const body = new Uint8Array(256).map((_, i) => i);
  const head: ResponseHead = { status: 201, statusText: "Created", headers: [["x-a", "1"], ["set-cookie", "a=b"], ["set-cookie", "c=d"]], body: { bytes: body } };
  const flat = flatAnswer(head);
  assert.equal(typeof flat, "string");
  assert.deepEqual(answerOfFlat(flat!, bytesOf), head);
});

test("an answer with no headers and no body, or an empty body, keeps the difference", () => {
  for (const head of [
    { status: 204, statusText: "", headers: [], body: null },
    { status: 200, statusText: "", headers: [], body: { bytes: new Uint8Array() } },
  ] satisfies ResponseHead[]) {
    assert.deepEqual(answerOfFlat(flatAnswer(head)!, bytesOf), head);
  }
});

test("what does not fit the flat form is left to the structured copy", () => {
  const base = { status: 200, statusText: "", headers: [] as [string, string][] };
  assert.equal(flatAnswer({ ...base, body: { streamId: 3 } }), null);
  assert.equal(flatAnswer({ ...base, body: { bytes: new Uint8Array(FLAT_BODY_MAX + 1) } }), null);
  assert.equal(flatAnswer({ ...base, statusText: "a\nb", body: null }), null);
  assert.equal(flatAnswer({ ...base, headers: [["x", "a\nb"]], body: null }), null);
  assert.equal(flatHeaders([["x-ok", "1"], ["x-bad", "1\n2"]]), null);
});

test("request headers keep order, repeats and empty values", () => {
  const headers: [string, string][] = [["a", ""], ["b", "1"], ["b", "2"], ["c", "x:y z"]];
  assert.deepEqual(headersOfFlat(flatHeaders(headers)!), headers);
  assert.deepEqual(headersOfFlat(flatHeaders([])!), []);
});

test("a garbled flat answer is refused with a TypeError, never half read", () => {
  for (const garbled of ["", "200", "200\n\n", "200\n\n1\nx\n", "200\n\n0\nX", "200\n\n0\nNextra", "2000\n\n0\nN", "abc\n\n0\nN", "200\n\n99999\nN", "200\n\n-1\nN", "200\n\n1e1\nN"]) {
    assert.throws(() => answerOfFlat(garbled, bytesOf), TypeError, JSON.stringify(garbled));
  }
});

test("a batch of requests reads back field for field, whatever characters the fields hold", () => {
  const requests = [
    { id: 1, method: "GET", url: "http://x/a,b?c=1,2", headers: flatHeaders([["a", "1,2"], ["b", ""]])!, hostname: "::1", port: 0 },
    { id: 2, method: "PATCH", url: "http://x/\u00e9", headers: "", hostname: "127.0.0.1", port: 65535 },
  ];
  assert.deepEqual(requestsOfBatch(batchOfRequests(requests)), requests);
  assert.deepEqual(requestsOfBatch(""), []);
  // Large ids and every field empty read back too; a cut or garbled line is refused, never read on forever.
  const edge = [{ id: 2 ** 40, method: "", url: "", headers: "", hostname: "", port: 1 }];
  assert.deepEqual(requestsOfBatch(batchOfRequests(edge)), edge);
  for (const garbled of ["1,3,1,0,0", "1,3,x,0,0,5\nGETu", "1,-3,1,0,0,5\nGET", "1,3,1,0,0,5"]) {
    assert.throws(() => requestsOfBatch(garbled), TypeError, JSON.stringify(garbled));
  }
});

test("a batch of answers reads back, and a garbled one is refused", () => {
  const answers: [number, string | typeof NOT_YET | typeof NOT_FLAT][] = [[3, "200\n\n0\nN"], [4, NOT_YET], [5, NOT_FLAT], [6, ""]];
  assert.deepEqual([...answersOfBatch(batchOfAnswers(answers))], answers);
  for (const garbled of ["3", "3,5\nab", "x,1\na", "3,-3\n", "3,1e3\n", "-3,1\na"]) {
    assert.throws(() => answersOfBatch(garbled), TypeError, JSON.stringify(garbled));
  }
});

const MODULE = `
export default {
  fetch(request) {
    const what = new URL(request.url).pathname;
    if (what === "/echo") return Response.json({ headers: [...request.headers], remote: request.headers.get("x-remote") });
    if (what === "/tamper") {
      // A package that rewrites the runtime's own checks can garble the string the host reads: that is its 500, nothing more.
      const test = RegExp.prototype.test;
      const includes = String.prototype.includes;
      RegExp.prototype.test = function (text) { return text === "OK\\n7" || test.call(this, text); };
      String.prototype.includes = function (part) { return String(this) !== "OK\\n7" && includes.call(this, part); };
      return new Response("x", { statusText: "OK\\n7" });
    }
    return new Response(new Uint8Array([0, 10, 13, 255]), { headers: { "x-bin": "v" } });
  },
};
`;

function spec(): IsolateSpec {
  return isolateSpec("flat", MODULE);
}

test("through a real isolate: headers reach the handler as sent, binary bodies come back whole, a tampered runtime costs its own request", async () => {
  const sandbox = new LocalSandbox();
  try {
    await sandbox.load(spec());
    const remoteAddr = { transport: "tcp" as const, hostname: "127.0.0.1", port: 1 };
    const headers: [string, string][] = [["x-remote", "a b"], ["accept", "*/*"], ["x-empty", ""]];
    const echo = await sandbox.request("flat#1", { head: { method: "GET", url: "http://x/echo", headers, remoteAddr }, body: null });
    const seen = JSON.parse(new TextDecoder().decode(echo.body as Uint8Array)) as { headers: [string, string][]; remote: string };
    assert.deepEqual(seen.headers, [["accept", "*/*"], ["x-empty", ""], ["x-remote", "a b"]]);
    const binary = await sandbox.request("flat#1", { head: { method: "GET", url: "http://x/bin", headers: [], remoteAddr }, body: null });
    assert.deepEqual([...(binary.body as Uint8Array)], [0, 10, 13, 255]);
    assert.deepEqual(binary.headers, [["x-bin", "v"]]);
    const handlerError = (error: unknown) => error instanceof SandboxFailure && error.reason === "handler-error";
    await assert.rejects(sandbox.request("flat#1", { head: { method: "GET", url: "http://x/tamper", headers: [], remoteAddr }, body: null }), (error) => handlerError(error) && /invalid response head/.test((error as Error).message));
    const after = await sandbox.request("flat#1", { head: { method: "GET", url: "http://x/bin", headers: [], remoteAddr }, body: null });
    assert.equal(after.status, 200, "the isolate lives on and answers the next request");
  } finally {
    await sandbox.close();
  }
});
