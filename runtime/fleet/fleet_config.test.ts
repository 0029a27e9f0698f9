import assert from "node:assert/strict";
import { test } from "node:test";
import { fleetFromEnv } from "./fleet_config.ts";

test("fleetFromEnv() is undefined without ISOPOD_FLEET: a host alone", () => {
  assert.equal(fleetFromEnv({}), undefined);
});

test("fleetFromEnv() takes nats://HOST:PORT and the timings", () => {
  const config = fleetFromEnv({ ISOPOD_FLEET: "nats://127.0.0.1:4222", ISOPOD_FLEET_LEASE_MS: "1500" });
  assert.equal(config?.server, "127.0.0.1:4222");
  assert.equal(config?.leaseMs, 1500);
  assert.equal(config?.syncMs, 5000);
});

test("fleetFromEnv() refuses etcd, other URLs, bad host ids and tiny timings, naming the setting", () => {
  assert.throws(() => fleetFromEnv({ ISOPOD_FLEET: "etcd://127.0.0.1:2379" }), /NATS JetStream only/);
  assert.throws(() => fleetFromEnv({ ISOPOD_FLEET: "http://127.0.0.1:4222" }), /ISOPOD_FLEET="http:.*is not nats:\/\/HOST:PORT/);
  assert.throws(() => fleetFromEnv({ ISOPOD_FLEET: "nats://h:99999" }), /is not nats/);
  assert.throws(() => fleetFromEnv({ ISOPOD_FLEET: "nats://h:1", ISOPOD_FLEET_HOST_ID: "a b" }), /ISOPOD_FLEET_HOST_ID/);
  assert.throws(() => fleetFromEnv({ ISOPOD_FLEET: "nats://h:1", ISOPOD_FLEET_LEASE_MS: "5" }), /ISOPOD_FLEET_LEASE_MS="5"/);
});
