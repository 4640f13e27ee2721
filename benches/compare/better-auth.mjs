// Times better-auth's own cookie-cache reader, `getCookieCache` from `better-auth/cookies`,
// on the same fixture cookies as `cargo bench --bench better_auth --features better-auth`
// (fixtures/better-auth/cases.json: db-compact/valid, db-jwt/valid, db-jwe/valid), and prints
// each median next to this crate's `cached_session` median from the criterion run that just
// finished (target/criterion/better_auth_cached_session/<strategy>_cached_session).
//
//   cargo bench --bench better_auth --features better-auth && node benches/compare/better-auth.mjs
//
// The package comes from the fixture generator's pinned install (fixtures/generator, `npm ci`
// there first): better-auth 1.7.25. Date is frozen at each case's time, as the fixtures were
// answered. getCookieCache does less than the server's cache step (no session token check),
// so the comparison favours Node.
import { readFileSync, existsSync } from "node:fs";
import { createRequire } from "node:module";

const root = new URL("../../", import.meta.url);
const require = createRequire(new URL("fixtures/generator/package.json", root));
const FakeTimers = require("@sinonjs/fake-timers");
const { getCookieCache } = await import(require.resolve("better-auth/cookies"));

const file = JSON.parse(readFileSync(new URL("fixtures/better-auth/cases.json", root), "utf8"));

/** Median ns per call of an async op: batches of at least 20 ms, 31 samples. */
async function measure(op, { samples = 31, minBatchNs = 20e6 } = {}) {
  let batch = 1;
  for (;;) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < batch; i++) await op();
    if (Number(process.hrtime.bigint() - t0) >= minBatchNs) break;
    batch *= 2;
  }
  const times = [];
  for (let s = 0; s < samples; s++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < batch; i++) await op();
    times.push(Number(process.hrtime.bigint() - t0) / batch);
  }
  times.sort((a, b) => a - b);
  return times[samples >> 1];
}

function rustMedian(strategy) {
  const path = new URL(
    `target/criterion/better_auth_cached_session/${strategy}_cached_session/new/estimates.json`,
    root,
  );
  return existsSync(path) ? JSON.parse(readFileSync(path, "utf8")).median.point_estimate : null;
}

console.log("| strategy | better-auth getCookieCache | this crate cached_session | ratio |");
console.log("|---|---|---|---|");
for (const strategy of ["compact", "jwt", "jwe"]) {
  const c = file.cases.find((x) => x.id === `db-${strategy}/valid`);
  const config = file.configs.find((x) => x.id === c.config);
  const clock = FakeTimers.install({ now: c.now_ms, toFake: ["Date"] });
  const headers = new Headers({ cookie: c.cookie });
  const options = config.get_cookie_cache_options;
  if (!(await getCookieCache(headers, options))) throw new Error(`${c.id}: no cache read`);
  const node = await measure(() => getCookieCache(headers, options));
  clock.uninstall();
  const rust = rustMedian(strategy);
  const us = (ns) => `${(ns / 1000).toFixed(1)} µs`;
  console.log(
    `| ${strategy} | ${us(node)} | ${rust ? us(rust) : "n/a"} | ${rust ? `${(node / rust).toFixed(1)}x` : "n/a"} |`,
  );
}
