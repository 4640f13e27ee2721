// Times the JavaScript references on the same fixture tokens as `cargo bench --bench decode`
// and prints one table: per-operation medians, and each as a ratio to this crate's median
// from the criterion run that just finished (target/criterion/.../new/estimates.json).
//
//   node benches/compare/compare.mjs            # after `cargo bench --bench decode`
//   benches/compare/run.sh                      # both, then the table
//
// The packages come from the fixture generator's pinned install (fixtures/generator,
// `npm ci` there first): next-auth 4.24.15, @auth/core 0.41.3, jose 6.2.18.
import { readFileSync, existsSync } from "node:fs";
import { createRequire } from "node:module";
import { cpus } from "node:os";

const root = new URL("../../", import.meta.url);
const require = createRequire(new URL("fixtures/generator/package.json", root));
const v4 = require("next-auth/jwt");
const { decode: v5decode } = await import(require.resolve("@auth/core/jwt"));
const jose = await import(require.resolve("jose"));
const { hkdf } = await import(require.resolve("@panva/hkdf"));
const FakeTimers = require("@sinonjs/fake-timers");

const fixtures = JSON.parse(readFileSync(new URL("fixtures/tokens.json", root), "utf8")).cases;
const byId = (id) => fixtures.find((c) => c.id === id);

// Tokens are checked at the time they were made: freeze Date as the fixtures did.
const clock = FakeTimers.install({ now: byId("v4-typical").now * 1000, toFake: ["Date"] });

async function key(c) {
  const len = c.flavor === "v4" ? 32 : 64;
  const info = c.flavor === "v4" ? "NextAuth.js Generated Encryption Key" : `Auth.js Generated Encryption Key (${c.salt})`;
  return hkdf("sha256", c.secrets[0], c.salt, info, len);
}

/** Median ns per call of an async op: warm-up, then `samples` batches timed with hrtime. */
async function measure(op, { samples = 31, minBatchNs = 20e6 } = {}) {
  let batch = 1;
  for (;;) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < batch; i++) await op();
    const dt = Number(process.hrtime.bigint() - t0);
    if (dt >= minBatchNs) break;
    batch *= 2;
  }
  const per = [];
  for (let s = 0; s < samples; s++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < batch; i++) await op();
    per.push(Number(process.hrtime.bigint() - t0) / batch);
  }
  per.sort((a, b) => a - b);
  return per[per.length >> 1];
}

/** This crate's median for a criterion benchmark id, in ns, if `cargo bench` ran. */
function rust(group, id) {
  const f = new URL(`target/criterion/${group}/${id}/new/estimates.json`, root);
  if (!existsSync(f)) return null;
  return JSON.parse(readFileSync(f, "utf8")).median.point_estimate;
}

const rows = [];
for (const [flavor, size] of [["v4", "typical"], ["v5", "typical"], ["v4", "large-8k"], ["v5", "large-8k"]]) {
  const c = byId(`${flavor}-${size}`);
  const k = await key(c);
  const ref = flavor === "v4"
    ? ["next-auth@4.24.15 decode", () => v4.decode({ token: c.token, secret: c.secrets[0] })]
    : ["@auth/core@0.41.3 decode", () => v5decode({ token: c.token, secret: c.secrets[0], salt: c.salt })];
  // Sanity: both decode to the fixture's payload.
  const a = await ref[1]();
  const b = (await jose.jwtDecrypt(c.token, k, { clockTolerance: 15 })).payload;
  if (a.jti !== c.reference.payload.jti || b.jti !== c.reference.payload.jti) throw new Error(`${c.id}: decode mismatch`);
  const ours = rust("decode", `${flavor}/${size}`);
  for (const [name, op] of [ref, ["jose jwtDecrypt, cached key", () => jose.jwtDecrypt(c.token, k, { clockTolerance: 15 })]]) {
    const ns = await measure(op);
    rows.push({ token: `${flavor} ${size} (${c.token.length} B)`, impl: name, ns, ours });
  }
}
clock.uninstall();

const fmt = (ns) => (ns >= 1e3 ? `${(ns / 1e3).toFixed(2)} µs` : `${ns.toFixed(0)} ns`);
console.log(`machine: ${cpus().length} x ${cpus()[0].model}, node ${process.version}`);
console.log("| token | implementation | median | this crate | ratio (them / us) |");
console.log("|---|---|---|---|---|");
for (const r of rows) {
  const ours = r.ours == null ? "run cargo bench first" : fmt(r.ours);
  const ratio = r.ours == null ? "" : `${(r.ns / r.ours).toFixed(1)}x`;
  console.log(`| ${r.token} | ${r.impl} | ${fmt(r.ns)} | ${ours} | ${ratio} |`);
}
