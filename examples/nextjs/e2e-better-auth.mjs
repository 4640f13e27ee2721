// End-to-end for Better Auth sessions: the real Better Auth app (better-auth/, better-auth
// 1.7.25 in Next.js) signs users up and in over HTTP, in database mode (PostgreSQL, with each
// cookie cache strategy or none) and in stateless mode, and the Rust example services
// (`examples/axum.rs`, `examples/actix.rs`) must each answer their `GET /better-auth/session`
// with exactly the body of the app's `GET /api/auth/get-session` (401 where the app answers
// null); every Rust check is made, and reported, once per service.
//
//   E2E_DATABASE_URL=postgres://... node e2e-better-auth.mjs axum=<compiled axum example>,actix=<compiled actix example> [database URL]
//
// Run by e2e.sh when E2E_BETTER_AUTH=1, after e2e.mjs, with the URL of its throwaway
// PostgreSQL cluster; the app must have been built (`next build` in better-auth/). This script
// creates better-auth's tables itself (better-auth/migrate.mjs, better-auth's own migration
// API; a no-op when they exist), then starts every app and Rust instance on 127.0.0.1, each
// stopped by pid whatever happens.
//
// Each Rust assertion is its own check, reported after its case. A service that answers 404
// for /better-auth/session (or does not start with the Better Auth environment: a build
// without the `better-auth` feature) fails them; E2E_BETTER_AUTH_RUST=optional reports them as
// `skip ... (Rust side pending)` instead, for working on the app alone. Closing line:
// `e2e: N passed, M failed, K skipped`.
//
// Stateless mode keeps the sessions it issued in an in-process memory store as well, so the
// instance that signed a user in still finds the session when the cookie cache is unusable.
// The Rust service is another process: its reference is a second app instance with the same
// secret (a replica that issued nothing), which sees only the cookies.

import { spawn } from "node:child_process";
import { createHmac, randomBytes } from "node:crypto";
import { createServer } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import path from "node:path";
import {
  Jar,
  baseEnv,
  check,
  children,
  clip,
  freePort,
  rustServices,
  same,
  sorted,
  start,
  startRustGroup,
  stop,
  stopAll,
} from "./e2e-lib.mjs";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const APP_DIR = path.join(HERE, "better-auth");
const NEXT_BIN = path.join(HERE, "node_modules", "next", "dist", "bin", "next");
if (!process.argv[2]) {
  console.error("usage: node e2e-better-auth.mjs <name>=<compiled Rust example>[,...] [database URL]");
  process.exit(2);
}
const SERVICES = rustServices(process.argv[2]);
const DATABASE_URL = process.argv[3] || process.env.E2E_DATABASE_URL || "";
const RUST_REQUIRED = process.env.E2E_BETTER_AUTH_RUST !== "optional";

const PASSWORD = "correct horse battery staple";
const SECRET = "e2e better-auth secret: the app and the Rust service share it, 32+ chars";
const SECURE_URL = "https://localhost:8443"; // the public URL; TLS ends at a proxy
const RUST_ROUTE = "/better-auth/session";
const PREFIX = "better-auth"; // the default cookie prefix
const DAY_MS = 86_400_000;
const WEEK_MS = 7 * DAY_MS; // session.expiresIn, default 604800 s

// ---------------------------------------------------------------------------------------------
// Processes: every child is tracked and stopped by its pid (as in e2e.mjs).






// Last resort when the script is interrupted or crashes: synchronous, by pid.
process.on("exit", () => {
  for (const proc of children) {
    try {
      process.kill(proc.child.pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
});
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) {
  process.on(signal, () => {
    console.error(`\ne2e: ${signal}, stopping ${children.size} process(es)`);
    stopAll().finally(() => process.exit(130));
  });
}


/**
 * The app's and the Rust service's environment for one instance: `url` is the public URL
 * (BETTER_AUTH_URL); the plain instances use their own loopback origin.
 */
function instanceEnv({ mode, cache, url }) {
  return {
    BA_MODE: mode,
    ...(mode === "database" ? { BA_CACHE: cache, DATABASE_URL } : {}),
    BETTER_AUTH_SECRET: SECRET,
    BETTER_AUTH_URL: url,
  };
}

/**
 * `next start` of the Better Auth app on a free loopback port; resolves once it answers.
 * `config.url` is the public URL, or null for the app's own loopback origin.
 */
async function startApp(label, config) {
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const origin = `http://127.0.0.1:${port}`;
    const env = instanceEnv({ ...config, url: config.url ?? origin });
    const proc = start(
      `better-auth app (${label})`,
      process.execPath,
      [NEXT_BIN, "start", "-H", "127.0.0.1", "-p", String(port)],
      { cwd: APP_DIR, env: { ...baseEnv({ BETTER_AUTH_TELEMETRY: "0" }), ...env } },
    );
    Object.assign(proc, { origin, env, ...config });
    // Origin of the browser's requests: the public URL (better-auth's trusted origin).
    proc.publicOrigin = new URL(env.BETTER_AUTH_URL).origin;
    proc.cookie = (key) => `${env.BETTER_AUTH_URL.startsWith("https://") ? "__Secure-" : ""}${PREFIX}.${key}`;
    const deadline = Date.now() + 30_000;
    while (!proc.exited && Date.now() < deadline) {
      try {
        const res = await fetch(`${origin}/api/auth/ok`);
        if (res.ok) return proc;
      } catch {
        // not listening yet
      }
      await sleep(100);
    }
    await stop(proc);
    // Another process may have taken the port between freePort() and the bind: retry once.
    if (attempt >= 2 || !/EADDRINUSE/.test(proc.output)) {
      throw new Error(`${proc.label} did not start:\n${proc.output}`);
    }
  }
}

/**
 * Every Rust service on an ephemeral loopback port, with the app instance's Better Auth
 * environment; in database mode their session cache is off (SESSION_CACHE_TTL_MS=0), so a row
 * changed or deleted counts at once. A service that does not start has `down` set: its checks
 * are pending (or fail with E2E_BETTER_AUTH_RUST=required).
 */
async function startRust(app) {
  const cacheOff = app.mode === "database" ? { SESSION_CACHE_TTL_MS: "0" } : {};
  return startRustGroup(SERVICES, app.label, {
    ...baseEnv({ BETTER_AUTH_TELEMETRY: "0" }),
    ...app.env,
    ...cacheOff,
    BIND_ADDR: "127.0.0.1:0",
  });
}

// ---------------------------------------------------------------------------------------------
// A browser's cookie jar, reduced to what the flows need: Set-Cookie in, Cookie header out.
// Attributes are kept for the assertions; `Secure` cookies are sent over plain HTTP on purpose
// (the app stands behind a TLS-terminating proxy in the https case).


async function request(url, { jar, method = "GET", json, headers = {} } = {}) {
  const init = { method, redirect: "manual", headers: { ...headers } };
  if (jar && jar.cookies.size > 0) init.headers.cookie = jar.header();
  if (json !== undefined) {
    init.headers["content-type"] = "application/json";
    init.body = JSON.stringify(json);
  }
  const res = await fetch(url, init);
  if (jar) jar.update(res);
  return res;
}

/** A POST to the auth API as the app's client does: JSON, the page's Origin, the jar's cookies. */
async function authPost(app, route, jar, body) {
  const res = await request(`${app.origin}/api/auth${route}`, {
    jar,
    method: "POST",
    json: body,
    headers: { origin: app.publicOrigin, referer: `${app.publicOrigin}/` },
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

/** Signs a new user up (better-auth signs them in at once). Returns the jar and the body. */
async function signUp(app, user) {
  const jar = new Jar();
  const res = await authPost(app, "/sign-up/email", jar, { ...user, password: PASSWORD });
  check(res.status === 200, `sign-up: HTTP ${res.status} ${JSON.stringify(res.body)}`);
  return { jar, body: res.body };
}

/** Signs in with e-mail and password into a new jar. Returns the jar, the status and the body. */
async function signIn(app, email, { password = PASSWORD, rememberMe } = {}) {
  const jar = new Jar();
  const res = await authPost(app, "/sign-in/email", jar, {
    email,
    password,
    ...(rememberMe === undefined ? {} : { rememberMe }),
  });
  return { jar, ...res };
}

/**
 * The reference view: the body of `GET /api/auth/get-session`, asked of the app's reader (a
 * stateless app's replica) unless `issuer` is set. Does not touch `jar`.
 */
async function referenceSession(app, jar, { issuer = false } = {}) {
  const reader = issuer ? app : (app.reader ?? app);
  const res = await request(`${reader.origin}/api/auth/get-session`, {
    headers: jar.cookies.size ? { cookie: jar.header() } : {},
  });
  const text = await res.text();
  check(res.status === 200, `${reader.label} get-session: HTTP ${res.status} ${text.slice(0, 200)}`);
  return JSON.parse(text);
}

/** The e-mail on the app's home page (a server component calling auth.api.getSession), or null. */
async function pageUser(app, jar) {
  const res = await request(`${app.origin}/`, {
    headers: jar.cookies.size ? { cookie: jar.header() } : {},
  });
  check(res.status === 200, `${app.label} /: HTTP ${res.status}`);
  const html = (await res.text()).replaceAll("<!-- -->", "");
  return /Signed in as ([^<\s]+)\.\s/.exec(html)?.[1] ?? null;
}

/**
 * The Rust view: `GET /better-auth/session` with the same cookies. Returns
 * `{ pending: reason }` while the route does not exist (404) or the service is down, else
 * `{ body }` (null on 401).
 */
async function rustSession(rust, jar) {
  if (rust.down) return { pending: rust.down };
  const res = await fetch(`${rust.origin}${RUST_ROUTE}`, {
    headers: jar.cookies.size ? { cookie: jar.header() } : {},
  });
  const text = await res.text();
  if (res.status === 404) return { pending: `${RUST_ROUTE} answers 404` };
  if (res.status === 401) return { body: null };
  check(res.status === 200, `${rust.label} ${RUST_ROUTE}: HTTP ${res.status} ${text.slice(0, 200)}`);
  return { body: JSON.parse(text) };
}

// ---------------------------------------------------------------------------------------------
// Assertions, the case runner and the separate Rust checks.


/** Equal as JSON text: values and the order of keys. */



const results = { passed: 0, failed: 0, skipped: 0 };
let rustChecks = null; // the running case's Rust checks, reported after it

async function runCase(name, body) {
  const started = Date.now();
  rustChecks = [];
  try {
    const detail = await body();
    results.passed++;
    const took = `${((Date.now() - started) / 1000).toFixed(1)} s`;
    console.log(`ok   ${name} (${detail ? `${detail}, ` : ""}${took})`);
  } catch (e) {
    results.failed++;
    console.log(`FAIL ${name}: ${e.message}`);
  }
  for (const { what, outcome, message } of rustChecks) {
    results[outcome]++;
    const tag = { passed: "ok  ", failed: "FAIL", skipped: "skip" }[outcome];
    console.log(`${tag} ${name}: Rust ${what}${message ? ` ${message}` : ""}`);
  }
  rustChecks = null;
}

/**
 * Both views of one cookie set: the Rust service answers first (as in e2e.mjs: the reference
 * may change rows as it reads), then the reference's body, which `expect` may check. With
 * `referenceFirst` the order is reversed, for a read the reference turns into a write (a
 * session refresh) that the read-only Rust service must then see. The Rust answer must equal
 * the reference's body exactly; that is a separate check, pending while the Rust side is not
 * there. Returns the reference's body.
 */
async function bothSee(app, rust, jar, what, expect = () => {}, { referenceFirst = false } = {}) {
  const rustRead = async (service) => {
    try {
      return await rustSession(service, jar);
    } catch (e) {
      return { error: e.message };
    }
  };
  const readAll = () => Promise.all(rust.members.map(rustRead));
  let rustViews = referenceFirst ? null : await readAll();
  const reference = await referenceSession(app, jar);
  rustViews ??= await readAll();
  expect(reference);
  rust.members.forEach((service, i) => {
    const rustView = rustViews[i];
    const record = (outcome, message) =>
      rustChecks.push({ what: `${service.name}: ${what}`, outcome, message });
    if (rustView.error) record("failed", `: ${rustView.error}`);
    else if (rustView.pending) {
      if (RUST_REQUIRED) record("failed", `: ${rustView.pending}`);
      else record("skipped", `(Rust side pending: ${rustView.pending})`);
    } else {
      try {
        same(rustView.body, reference, `${RUST_ROUTE} (null = 401)`);
        record("passed");
      } catch (e) {
        record("failed", `: ${e.message}`);
      }
    }
  });
  return reference;
}

/** The reference's body is `user`'s session with `token`. */
function isSessionOf(user, token, what) {
  return (body) => {
    check(body, `${what}: get-session answers null`);
    same(Object.keys(body), ["session", "user"], `${what}: keys of the body`);
    same(body.user.email, user.email.toLowerCase(), `${what}: user.email`);
    same(body.user.name, user.name, `${what}: user.name`);
    same(body.session.userId, body.user.id, `${what}: session.userId`);
    if (token !== undefined) same(body.session.token, token, `${what}: session.token`);
  };
}

function isNull(what) {
  return (body) => same(body, null, `${what}: get-session`);
}

// ---------------------------------------------------------------------------------------------
// The cookies' formats (spec: shared/better-auth-behaviour.md), checked on what the app wrote.

/** The token of a signed cookie (`token.base64(HMAC-SHA256(secret, token))`, URL-encoded). */
function signedValue(raw, what) {
  const value = decodeURIComponent(raw);
  const i = value.lastIndexOf(".");
  check(i > 0, `${what}: no signature in ${value}`);
  const [signed, signature] = [value.slice(0, i), value.slice(i + 1)];
  const expected = createHmac("sha256", SECRET).update(signed).digest("base64");
  same(signature, expected, `${what}: signature`);
  return signed;
}

function sessionToken(app, jar) {
  const raw = jar.value(app.cookie("session_token"));
  check(raw, `no ${app.cookie("session_token")} cookie (cookies: ${jar.names().join(", ")})`);
  const token = signedValue(raw, "session_token");
  check(/^[A-Za-z0-9]{32}$/.test(token), `session token ${token} is not 32 alphanumerics`);
  return token;
}

/** The session_data cookies in the jar: the unsuffixed one, or the chunks `.0`, `.1`, … */
function cacheCookies(app, jar) {
  const base = app.cookie("session_data");
  return jar.names().filter((n) => n === base || (n.startsWith(`${base}.`) && /^\d+$/.test(n.slice(base.length + 1))));
}

/** The joined session_data value; checks its shape for the strategy. */
function cacheValue(app, jar, strategy) {
  const names = cacheCookies(app, jar).sort(
    (a, b) => Number(a.split(".").pop()) - Number(b.split(".").pop()),
  );
  const value = names.map((n) => decodeURIComponent(jar.value(n))).join("");
  const parts = value.split(".");
  const header = () => JSON.parse(Buffer.from(parts[0], "base64url").toString("utf8"));
  if (strategy === "compact") {
    check(parts.length === 1 && /^[A-Za-z0-9_-]+$/.test(value), "compact cache: not base64url");
    const decoded = JSON.parse(Buffer.from(value, "base64url").toString("utf8"));
    same(Object.keys(decoded), ["session", "expiresAt", "signature"], "compact cache keys");
  } else if (strategy === "jwt") {
    check(parts.length === 3, `jwt cache: ${parts.length} parts`);
    same(header(), { alg: "HS256" }, "jwt cache header");
  } else if (strategy === "jwe") {
    check(parts.length === 5 && parts[1] === "", "jwe cache: not a compact dir JWE");
    same(Object.keys(header()), ["alg", "enc", "kid"], "jwe cache header keys");
    same([header().alg, header().enc], ["dir", "A256CBC-HS512"], "jwe cache alg, enc");
  }
  return { names, value };
}

// ---------------------------------------------------------------------------------------------
// The instances and the cases.

// label -> the app's options; `strategy` is the cookie cache's (null: no cache).
const INSTANCES = {
  database: { mode: "database", cache: "none", strategy: null },
  "database+compact": { mode: "database", cache: "compact", strategy: "compact" },
  "database+jwt": { mode: "database", cache: "jwt", strategy: "jwt" },
  "database+jwe": { mode: "database", cache: "jwe", strategy: "jwe" },
  stateless: { mode: "stateless", cache: undefined, strategy: "jwe", replica: true },
  "database, https URL": { mode: "database", cache: "none", strategy: null, url: SECURE_URL },
};

async function migrate() {
  const proc = start("migrate.mjs", process.execPath, ["migrate.mjs"], {
    cwd: APP_DIR,
    env: { ...baseEnv({ BETTER_AUTH_TELEMETRY: "0" }), BA_MODE: "database", DATABASE_URL },
  });
  const { code } = await proc.exit;
  check(code === 0, `better-auth/migrate.mjs failed:\n${proc.output}`);
  return proc.output.trim();
}

async function main() {
  check(DATABASE_URL, "no database URL (E2E_DATABASE_URL): e2e.sh starts a PostgreSQL cluster");
  console.log(await migrate());
  const { default: pg } = await import("pg");
  const db = new pg.Pool({ connectionString: DATABASE_URL, max: 2 });
  try {
    await db.query('select token, "expiresAt", "userId" from session limit 0');
    const configs = Object.entries(INSTANCES).flatMap(([label, config]) => [
      [label, config],
      ...(config.replica ? [[`${label} replica`, { ...config, replicaOf: label }]] : []),
    ]);
    const started = await Promise.all(
      configs.map(async ([label, config]) => [label, await startApp(label, config)]),
    );
    const apps = Object.fromEntries(started.filter(([, app]) => !app.replicaOf));
    for (const [, replica] of started.filter(([, app]) => app.replicaOf)) {
      apps[replica.replicaOf].reader = replica;
    }
    const rusts = Object.fromEntries(
      await Promise.all(Object.entries(apps).map(async ([label, app]) => [label, await startRust(app)])),
    );
    for (const [label, rust] of Object.entries(rusts)) {
      for (const service of rust.members) {
        if (service.down) console.log(`     rust (${label}): ${service.down}`);
      }
    }
    await cases(apps, rusts, db);
  } finally {
    await stopAll();
    await db.end();
  }
}

async function cases(apps, rusts, db) {
  // Addresses unique to this run: the cases also pass against a database of an earlier run.
  const run = `${Date.now().toString(36)}${randomBytes(2).toString("hex")}`;
  const user = (name) => ({ name, email: `${name}+${run}@Example.com` });
  const sessionRows = async (token) =>
    (await db.query('select "expiresAt" from session where token = $1', [token])).rows;

  for (const [label, app] of Object.entries(apps)) {
    if (label.includes("https")) continue;
    const rust = rusts[label];
    const cached = app.strategy !== null;
    await runCase(`better-auth ${label} sign-up, then sign-in: same session`, async () => {
      const ada = user(`ada-${label.replace(/\W+/g, "-")}`);
      const up = await signUp(app, ada);
      const upToken = sessionToken(app, up.jar);
      same(upToken, up.body.token, "sign-up body token");
      same(up.body.user.email, ada.email.toLowerCase(), "sign-up body: the e-mail, lower-cased");
      const expected = [app.cookie("session_token"), ...(cached ? [app.cookie("session_data")] : [])];
      same(up.jar.names(), expected, "cookies after sign-up");
      check(!up.jar.cookies.get(app.cookie("session_token")).secure, "plain-http cookie marked Secure");
      same(up.jar.cookies.get(app.cookie("session_token")).maxAge, WEEK_MS / 1000, "session_token Max-Age");
      if (cached) cacheValue(app, up.jar, app.strategy);
      await bothSee(app, rust, up.jar, "after sign-up", isSessionOf(ada, upToken, "after sign-up"));

      const { jar, status, body } = await signIn(app, ada.email);
      check(status === 200, `sign-in: HTTP ${status} ${JSON.stringify(body)}`);
      const token = sessionToken(app, jar);
      check(token !== upToken, "sign-in reused the sign-up token");
      same(body.token, token, "sign-in body token");
      same(jar.names(), expected, "cookies after sign-in");
      const ref = await bothSee(app, rust, jar, "after sign-in", isSessionOf(ada, token, "after sign-in"));
      // expiresAt and createdAt come from two Date.now() calls: a millisecond may pass.
      const expiresIn = Date.parse(ref.session.expiresAt) - Date.parse(ref.session.createdAt);
      check(Math.abs(expiresIn - WEEK_MS) <= 1000, `session lifetime ${expiresIn} ms, not a week`);
      if (app.mode === "database") {
        const rows = await sessionRows(token);
        same(rows.length, 1, "rows of session with the cookie's token");
        same(rows[0].expiresAt.toISOString(), ref.session.expiresAt, "expiresAt of the row and the body");
      }
      if (label === "database") {
        same(await pageUser(app, jar), ada.email.toLowerCase(), "the app's home page");
        same(await pageUser(app, new Jar()), null, "the app's home page without cookies");
      }
      return `token ${token.slice(0, 6)}…${cached ? `, ${app.strategy} cache` : ""}`;
    });
  }

  for (const label of ["database", "database+compact", "stateless"]) {
    const [app, rust] = [apps[label], rusts[label]];
    await runCase(`better-auth ${label} wrong password, no or forged cookie: no session`, async () => {
      const eve = user(`eve-${label.replace(/\W+/g, "-")}`);
      const { jar } = await signUp(app, eve);
      const wrong = await signIn(app, eve.email, { password: "wrong password" });
      same([wrong.status, wrong.body?.code], [401, "INVALID_EMAIL_OR_PASSWORD"], "wrong password");
      same(wrong.jar.names(), [], "cookies after a failed sign-in");
      await bothSee(app, rust, wrong.jar, "after a failed sign-in", isNull("failed sign-in"));
      await bothSee(app, rust, new Jar(), "no cookie", isNull("no cookie"));
      const name = app.cookie("session_token");
      const token = sessionToken(app, jar);
      // The token signed with another secret; the token alone, unsigned.
      const other = createHmac("sha256", "not the app's secret").update(token).digest("base64");
      const forged = jar.with(name, encodeURIComponent(`${token}.${other}`));
      await bothSee(app, rust, forged, "token signed with another secret", isNull("forged"));
      await bothSee(app, rust, jar.with(name, token), "unsigned token", isNull("unsigned"));
      // A random token signed with the right secret: no such session.
      const random = randomBytes(24).toString("base64url").replace(/[-_]/g, "x").slice(0, 32);
      const signed = `${random}.${createHmac("sha256", SECRET).update(random).digest("base64")}`;
      const unknown = jar.with(name, encodeURIComponent(signed));
      await bothSee(app, rust, unknown, "unknown token, valid signature", (body) => {
        // With a cookie cache the cache's token no longer matches: the DB (or, stateless,
        // nothing) is asked, and nothing has that token.
        same(body, null, "unknown token: get-session");
      });
    });
  }

  for (const label of ["database+compact", "database+jwt", "database+jwe", "stateless"]) {
    const [app, rust] = [apps[label], rusts[label]];
    await runCase(`better-auth ${label} large user: session_data in chunks`, async () => {
      // A long name (no limit in better-auth) makes the cache cookie longer than one chunk.
      const big = { ...user(`big-${label.replace(/\W+/g, "-")}`), name: `Big ${"ẞig ".repeat(1500)}end` };
      const { jar } = await signUp(app, big);
      const token = sessionToken(app, jar);
      const { names, value } = cacheValue(app, jar, app.strategy);
      check(names.length >= 2 && !names.includes(app.cookie("session_data")), `cache cookies ${names}`);
      check(names.every((n, i) => n === `${app.cookie("session_data")}.${i}`), `chunk names ${names}`);
      await bothSee(app, rust, jar, "chunked", isSessionOf(big, token, "chunked"));
      // Chunks listed in another order (proxies may reorder cookies): same answer.
      const reversed = new Jar([...jar.cookies].reverse());
      await bothSee(app, rust, reversed, "chunks in reverse order", isSessionOf(big, token, "reversed"));
      // A proxy that drops the last chunk: the cache is unreadable. In database mode the app
      // falls back to the session row; stateless, the session is gone.
      const lost = jar.without(names.at(-1));
      const expectLost =
        app.mode === "database" ? isSessionOf(big, token, "last chunk missing") : isNull("last chunk missing");
      await bothSee(app, rust, lost, "last chunk missing", expectLost);
      if (app.reader) {
        // The instance that issued the session still finds it in its memory store.
        const issuer = await referenceSession(app, lost, { issuer: true });
        isSessionOf(big, token, "last chunk missing, the issuing instance")(issuer);
      }
      return `${names.length} chunks, ${value.length} characters`;
    });
  }

  for (const label of ["database", "database+compact", "stateless"]) {
    const [app, rust] = [apps[label], rusts[label]];
    await runCase(`better-auth ${label} sign-out`, async () => {
      const linus = user(`linus-${label.replace(/\W+/g, "-")}`);
      await signUp(app, linus);
      const { jar } = await signIn(app, linus.email);
      const token = sessionToken(app, jar);
      const before = jar.clone();
      await bothSee(app, rust, jar, "before sign-out", isSessionOf(linus, token, "before sign-out"));
      const out = await authPost(app, "/sign-out", jar, {});
      same([out.status, out.body], [200, { success: true }], "sign-out");
      same(jar.names(), [], "cookies after sign-out");
      await bothSee(app, rust, jar, "after sign-out", isNull("after sign-out"));
      if (app.mode === "database") same((await sessionRows(token)).length, 0, "rows left for the token");
      // A copy of the cookies taken before sign-out. Without a cache the row is gone, so the
      // session is. With a cookie cache, better-auth answers from the cache without asking the
      // database until the cache expires (5 min); stateless, there is nothing to revoke.
      const revoked = app.strategy === null;
      await bothSee(
        app,
        rust,
        before,
        "copy from before sign-out",
        revoked ? isNull("copy") : isSessionOf(linus, token, "copy from before sign-out"),
      );
      return revoked ? "the copy is dead" : "the copy still reads (cache)";
    });
  }

  for (const label of ["database", "database+compact", "stateless"]) {
    const [app, rust] = [apps[label], rusts[label]];
    await runCase(`better-auth ${label} remember me off`, async () => {
      const grace = user(`grace-${label.replace(/\W+/g, "-")}`);
      await signUp(app, grace);
      const signedInAt = Date.now();
      const { jar, status, body } = await signIn(app, grace.email, { rememberMe: false });
      check(status === 200, `sign-in: HTTP ${status} ${JSON.stringify(body)}`);
      const token = sessionToken(app, jar);
      const dont = app.cookie("dont_remember");
      check(jar.value(dont), `no ${dont} cookie (cookies: ${jar.names().join(", ")})`);
      same(signedValue(jar.value(dont), "dont_remember"), "true", "dont_remember value");
      // Browser-session cookies: none of them has a Max-Age.
      for (const name of jar.names()) same(jar.cookies.get(name).maxAge, null, `${name} Max-Age`);
      const ref = await bothSee(app, rust, jar, "remember me off", isSessionOf(grace, token, "remember me off"));
      // The session lasts one day instead of seven.
      const expiresAt = Date.parse(ref.session.expiresAt);
      check(
        expiresAt >= signedInAt + DAY_MS - 5000 && expiresAt <= Date.now() + DAY_MS + 5000,
        `session.expiresAt ${ref.session.expiresAt}, expected about a day after sign-in`,
      );
      // Without the dont_remember cookie the same session. In database mode without a cookie
      // cache, the reference refreshes it as it reads (the row has less than expiresIn -
      // updateAge = 6 days left): it writes a 7-day expiresAt to the row and answers that. The
      // Rust service reads after it and must see the refreshed row.
      const refreshes = app.mode === "database" && app.strategy === null;
      const without = await bothSee(
        app,
        rust,
        jar.without(dont),
        "without dont_remember",
        isSessionOf(grace, token, "without dont_remember"),
        { referenceFirst: refreshes },
      );
      const lifetime = Date.parse(without.session.expiresAt) - signedInAt;
      if (refreshes) {
        check(lifetime > WEEK_MS - 10_000, `not refreshed: expires ${without.session.expiresAt}`);
        const rows = await sessionRows(token);
        same(rows[0]?.expiresAt.toISOString(), without.session.expiresAt, "expiresAt of the refreshed row");
      } else {
        same(without.session.expiresAt, ref.session.expiresAt, "expiresAt without dont_remember");
      }
      return `expires ${ref.session.expiresAt}${refreshes ? `, refreshed to ${without.session.expiresAt}` : ""}`;
    });
  }

  const secureApp = apps["database, https URL"];
  await runCase("better-auth database, https URL: __Secure- cookies over plain loopback", async () => {
    const hedy = user("hedy");
    const { jar } = await signUp(secureApp, hedy);
    const name = secureApp.cookie("session_token");
    same(name, `__Secure-${PREFIX}.session_token`, "cookie name");
    same(jar.names(), [name], "cookies after sign-up");
    check(jar.cookies.get(name).secure, "the __Secure- cookie lacks Secure");
    const token = sessionToken(secureApp, jar);
    const secureRust = rusts["database, https URL"];
    await bothSee(secureApp, secureRust, jar, "behind https", isSessionOf(hedy, token, "behind https"));
    // The plain-http app (same database, same secret) looks for the unprefixed name.
    await bothSee(apps.database, rusts.database, jar, "plain-http instance", isNull("plain-http instance"));
  });
}

// ---------------------------------------------------------------------------------------------

const startedAt = Date.now();
try {
  await main();
} catch (e) {
  results.failed++;
  console.log(`FAIL better-auth set-up: ${e.message}`);
} finally {
  await stopAll();
}
console.log(`cases took ${((Date.now() - startedAt) / 1000).toFixed(1)} s`);
console.log(`e2e: ${results.passed} passed, ${results.failed} failed, ${results.skipped} skipped`);
process.exit(results.failed === 0 && results.passed > 0 ? 0 : 1);
