// NetGuard on its own: host entries as Deno reads them (deny wins), and the
// addresses a package reaches only when its grant names them.

import assert from "node:assert/strict";
import os from "node:os";
import { test } from "node:test";
import { HostOpError } from "../host/host_error.ts";
import { canonicalAddress, NetGuard, splitHostPort } from "./net_guard.ts";

/** Asserts Deno's NotCapable for `target`, with `detail` in the message when given. */
function notCapable(target: string, detail?: RegExp) {
  return (error: unknown) => {
    assert.ok(error instanceof HostOpError, String(error));
    assert.equal(error.errorName, "NotCapable");
    assert.ok(error.message.startsWith(`Requires net access to "${target}", run again with the --allow-net flag`), error.message);
    if (detail) assert.match(error.message, detail);
    return true;
  };
}

test("splitHostPort reads host, host:port, [v6]:port and a bare IPv6 address, lowercased", () => {
  assert.deepEqual(splitHostPort("Example.COM"), { host: "example.com", port: undefined });
  assert.deepEqual(splitHostPort("example.com:8080"), { host: "example.com", port: 8080 });
  assert.deepEqual(splitHostPort("[::1]:443"), { host: "::1", port: 443 });
  assert.deepEqual(splitHostPort("[::1]"), { host: "::1", port: undefined });
  assert.deepEqual(splitHostPort("fe80::1"), { host: "fe80::1", port: undefined }, "a bare IPv6 address has no port");
  assert.deepEqual(splitHostPort("host:http"), { host: "host:http", port: undefined }, "a port must be digits");
});

test("canonicalAddress spells an address one way, IPv4-mapped IPv6 as IPv4, and gives nothing for a name", () => {
  assert.equal(canonicalAddress("::ffff:127.0.0.1"), "127.0.0.1");
  assert.equal(canonicalAddress("[::FFFF:7f00:1]"), "127.0.0.1");
  assert.equal(canonicalAddress("2001:DB8:0:0::1"), "2001:db8::1");
  assert.equal(canonicalAddress("10.0.0.1"), "10.0.0.1");
  assert.equal(canonicalAddress("example.com"), undefined);
  assert.equal(canonicalAddress("127.1"), undefined, "only four-part decimal IPv4 is an address");
});

test("checkHost allows a listed host on any port, and a host:port entry on that port only", () => {
  const guard = new NetGuard({ allow: ["example.com", "api.example.com:443"], deny: [] });
  guard.checkHost("example.com", 80);
  guard.checkHost("example.com", 8443);
  guard.checkHost("API.example.com", 443);
  assert.throws(() => guard.checkHost("api.example.com", 80), notCapable("api.example.com:80"));
  assert.throws(() => guard.checkHost("sub.example.com", 443), notCapable("sub.example.com:443"), "a host does not cover its subdomains");
  assert.throws(() => guard.checkHost("other.com", 443), notCapable("other.com:443"));
});

test("checkHost lets a deny entry win over an allow of everything", () => {
  const guard = new NetGuard({ allow: true, deny: ["evil.com", "example.com:25"] });
  guard.checkHost("example.com", 443);
  assert.throws(() => guard.checkHost("evil.com", 443), notCapable("evil.com:443"));
  assert.throws(() => guard.checkHost("example.com", 25), notCapable("example.com:25"));
});

test("checkHost compares addresses by value, whatever their spelling", () => {
  const guard = new NetGuard({ allow: ["::1", "127.0.0.1:8080"], deny: [] });
  guard.checkHost("[::1]", 80);
  guard.checkHost("[0:0:0:0:0:0:0:1]", 80);
  guard.checkHost("[::ffff:127.0.0.1]", 8080);
  assert.throws(() => guard.checkHost("[::ffff:127.0.0.1]", 80), notCapable("[::ffff:127.0.0.1]:80"));
});

test("checkAddress lets a public address through for a granted host", () => {
  const guard = new NetGuard({ allow: ["example.com"], deny: [] });
  guard.checkAddress("example.com", "93.184.216.34", 443);
  guard.checkAddress("example.com", "2606:4700::1111", 443);
});

test("checkAddress refuses loopback, private, link-local and unspecified addresses even with every host allowed, saying why", () => {
  const guard = new NetGuard({ allow: true, deny: [] });
  const cases: Array<[string, RegExp]> = [
    ["127.0.0.2", /\(127\.0\.0\.2 is a loopback address; only a grant that names that address reaches it\)$/],
    ["10.1.2.3", /10\.1\.2\.3 is a private address/],
    ["192.168.0.1", /192\.168\.0\.1 is a private address/],
    ["169.254.169.254", /169\.254\.169\.254 is a linkLocal address/],
    ["fd12::1", /fd12::1 is a uniqueLocal address/],
    ["0.0.0.0", /0\.0\.0\.0 is a unspecified address/],
  ];
  for (const [address, detail] of cases) {
    assert.throws(() => guard.checkAddress("internal.example", address, 80), notCapable("internal.example:80", detail), address);
  }
});

test("checkAddress sees a loopback address behind its IPv4-mapped IPv6 spelling", () => {
  const guard = new NetGuard({ allow: true, deny: [] });
  assert.throws(() => guard.checkAddress("sneaky.example", "::ffff:127.0.0.2", 80), notCapable("sneaky.example:80", /127\.0\.0\.2 is a loopback address/));
});

test("checkAddress reaches a non-public address only when the grant names that very address (and port, if given)", () => {
  const guard = new NetGuard({ allow: ["127.0.0.2", "10.0.0.5:5432", "localhost"], deny: [] });
  guard.checkAddress("127.0.0.2", "127.0.0.2", 9999);
  guard.checkAddress("db", "10.0.0.5", 5432);
  assert.throws(() => guard.checkAddress("db", "10.0.0.5", 5433), notCapable("db:5433"));
  assert.throws(() => guard.checkAddress("localhost", "127.0.0.3", 80), notCapable("localhost:80", /loopback/), "a granted name does not reach the loopback address it resolves to");
});

test("checkAddress lets a deny entry refuse even a public address", () => {
  const guard = new NetGuard({ allow: true, deny: ["93.184.216.34"] });
  assert.throws(() => guard.checkAddress("example.com", "93.184.216.34", 443), notCapable("example.com:443"));
  assert.throws(() => guard.checkAddress("example.com", "::ffff:93.184.216.34", 443), notCapable("example.com:443"));
});

test("checkAddress refuses the host's own interface addresses without a grant naming them", (t) => {
  const own = Object.values(os.networkInterfaces()).flatMap((list) => list ?? []).find((item) => !item.internal);
  if (!own) return t.skip("this machine has no interface besides loopback");
  const address = canonicalAddress(own.address) ?? own.address;
  const guard = new NetGuard({ allow: true, deny: [] });
  assert.throws(() => guard.checkAddress("me.example", own.address, 80), notCapable("me.example:80", new RegExp(`${address.replace(/[.]/g, "\\.")} is one of the host's own addresses`)));
  new NetGuard({ allow: [address], deny: [] }).checkAddress("me.example", own.address, 80);
});

test("state answers as Deno.permissions.query does: granted, denied or prompt", () => {
  const listed = new NetGuard({ allow: ["example.com", "api.example.com:443"], deny: ["example.com:25"] });
  assert.equal(listed.state(undefined), "prompt", "a list is not all of net");
  assert.equal(listed.state("example.com"), "granted");
  assert.equal(listed.state("example.com:443"), "granted");
  assert.equal(listed.state("example.com:25"), "denied");
  assert.equal(listed.state("api.example.com:443"), "granted");
  assert.equal(listed.state("api.example.com"), "prompt", "a port entry does not grant the host on every port");
  assert.equal(listed.state("other.com"), "prompt");

  assert.equal(new NetGuard({ allow: true, deny: [] }).state(undefined), "granted");
  assert.equal(new NetGuard({ allow: true, deny: ["x.com"] }).state(undefined), "prompt");
  assert.equal(new NetGuard({ allow: true, deny: ["x.com"] }).state("x.com"), "denied");
  assert.equal(new NetGuard({ allow: true, deny: ["x.com"] }).state("y.com:1"), "granted");
});
