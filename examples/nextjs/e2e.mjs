// End-to-end: real Next.js apps (NextAuth.js v4 and Auth.js v5 with JWT sessions, Auth.js v5
// with database sessions) sign users in over HTTP, and the Rust example services
// (`examples/axum.rs`, `examples/actix.rs`: the same service on two frameworks) must see the
// same user from the same cookies. Every Rust instance of a case is started once per service,
// with the same environment; each Rust view is asked of every service, and they must agree.
//
//   E2E_DATABASE_URL=postgres://... node e2e.mjs axum=<compiled axum example>,actix=<compiled actix example> [database URL]
//
// Run by e2e.sh, which installs from the lockfile, builds the apps and the example, and starts a
// throwaway PostgreSQL cluster with the @auth/pg-adapter tables (v5-db/schema.sql) for the
// database app, whose URL it passes in E2E_DATABASE_URL (or as the second argument).
// E2E_ONLY=v5-db (a comma-separated list of v4, v5, v5-db) runs only those apps' cases.
// Every process is started here, on 127.0.0.1 only, and stopped by pid whatever happens. The
// reference view of a session is the app's own `GET /api/auth/session`; the Rust view is
// `GET /me` (the user as JSON, 401 without a session) and, for database sessions, `GET /session`
// (the reference's whole body). Closing line: `e2e: N passed, M failed`.

import { spawn } from "node:child_process";
import { rmSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import path from "node:path";
import {
  Jar,
  allAgree,
  baseEnv,
  check,
  children,
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
const NEXT_BIN = path.join(HERE, "node_modules", "next", "dist", "bin", "next");
if (!process.argv[2]) {
  console.error("usage: node e2e.mjs <name>=<compiled Rust example>[,...] [database URL]");
  process.exit(2);
}
const SERVICES = rustServices(process.argv[2]);
const DATABASE_URL = process.argv[3] || process.env.E2E_DATABASE_URL || "";

const PASSWORD = "correct horse battery staple"; // the demo apps' password (auth.js)
const SECRET = "e2e secret: the one the app and the Rust service share, 32+ chars";
const NEW_SECRET = "e2e secret after rotation, also shared by both, 32+ chars";
const SHORT_MAX_AGE = 1; // seconds, for the expired-session case
const CLOCK_TOLERANCE = 15; // seconds, in both references and in the crate

const FLAVORS = {
  v4: {
    dir: path.join(HERE, "v4"),
    cookie: "next-auth.session-token",
    secureCookie: "__Secure-next-auth.session-token",
    // The app's and the Rust service's environment for one secret and one URL.
    env: ({ secret, url }) => ({
      NEXTAUTH_SECRET: secret,
      ...(url ? { NEXTAUTH_URL: url } : {}),
    }),
  },
  v5: {
    dir: path.join(HERE, "v5"),
    cookie: "authjs.session-token",
    secureCookie: "__Secure-authjs.session-token",
    env: v5Env,
  },
  // Auth.js v5 with `session.strategy: "database"` (@auth/pg-adapter): see databaseCases().
  "v5-db": {
    dir: path.join(HERE, "v5-db"),
    database: true,
    nextauthFlavor: "v5", // NEXTAUTH_FLAVOR of the Rust service
    cookie: "authjs.session-token",
    secureCookie: "__Secure-authjs.session-token",
    env: v5Env,
  },
};

function v5Env({ secret, url }) {
  return {
    AUTH_SECRET: secret,
    // `next start` runs with NODE_ENV=production, where Auth.js only trusts the request's
    // host when told so (AUTH_URL implies it).
    AUTH_TRUST_HOST: "true",
    ...(url ? { AUTH_URL: url } : {}),
  };
}

// ---------------------------------------------------------------------------------------------
// Processes: every child is tracked and stopped by its pid.

const tempDirs = new Set(); // removed at exit too, whatever happens





// Last resort when the script is interrupted or crashes: synchronous, by pid.
process.on("exit", () => {
  for (const proc of children) {
    try {
      process.kill(proc.child.pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) {
  process.on(signal, () => {
    console.error(`\ne2e: ${signal}, stopping ${children.size} process(es)`);
    stopAll().finally(() => process.exit(130));
  });
}


/** `next start` of one flavor's app on a free loopback port; resolves once it answers. */
async function startApp(flavor, label, appEnv) {
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const proc = start(
      `${flavor} app (${label})`,
      process.execPath,
      [NEXT_BIN, "start", "-H", "127.0.0.1", "-p", String(port)],
      { cwd: FLAVORS[flavor].dir, env: { ...baseEnv(), ...appEnv } },
    );
    proc.origin = `http://127.0.0.1:${port}`;
    const deadline = Date.now() + 30_000;
    while (!proc.exited && Date.now() < deadline) {
      try {
        const res = await fetch(`${proc.origin}/api/auth/csrf`);
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

/** Every Rust service with the same environment (see startRustGroup in e2e-lib.mjs). */
async function startRust(flavor, label, rustEnv) {
  const group = await startRustGroup(SERVICES, `${flavor} ${label}`, {
    ...baseEnv(),
    NEXTAUTH_FLAVOR: FLAVORS[flavor].nextauthFlavor ?? flavor,
    BIND_ADDR: "127.0.0.1:0",
    ...rustEnv,
  });
  const down = group.members.find((m) => m.down);
  if (down) {
    await stop(group);
    throw new Error(`${down.label} did not start:\n${down.output}`);
  }
  return group;
}

// ---------------------------------------------------------------------------------------------
// A browser's cookie jar, reduced to what the flows need: Set-Cookie in, Cookie header out.
// Attributes are kept for the assertions; `Secure` cookies are sent over plain HTTP on purpose
// (the app stands behind a TLS-terminating proxy in the https cases).


async function request(url, { jar, method = "GET", form, headers = {} } = {}) {
  const init = { method, redirect: "manual", headers: { ...headers } };
  if (jar && jar.cookies.size > 0) init.headers.cookie = jar.header();
  if (form) {
    init.headers["content-type"] = "application/x-www-form-urlencoded";
    init.body = new URLSearchParams(form).toString();
  }
  const res = await fetch(url, init);
  if (jar) jar.update(res);
  return res;
}

/** The hidden inputs and action of the form on a page whose action ends with `actionPath`. */
function parseForm(html, actionPath) {
  for (const m of html.matchAll(/<form\b[^>]*\baction="([^"]*)"[^>]*>([\s\S]*?)<\/form>/g)) {
    const action = new URL(m[1].replaceAll("&amp;", "&"), "http://placeholder");
    if (!action.pathname.endsWith(actionPath)) continue;
    const fields = {};
    for (const input of m[2].matchAll(/<input\b[^>]*>/g)) {
      const name = /\bname="([^"]*)"/.exec(input[0]);
      const value = /\bvalue="([^"]*)"/.exec(input[0]);
      if (name && value && /\btype="hidden"/.test(input[0])) fields[name[1]] = value[1];
    }
    return { path: action.pathname, fields };
  }
  throw new Error(`no form posting to ${actionPath} on the page`);
}

/**
 * Signs in as a browser does with the app's own sign-in page: GET the page (csrf cookie and
 * hidden csrfToken field), POST the credentials form, keep every cookie. Returns the jar.
 */
async function signIn(app, username, password = PASSWORD) {
  const jar = new Jar();
  const page = await request(`${app.origin}/api/auth/signin`, { jar });
  check(page.status === 200, `sign-in page: HTTP ${page.status}`);
  const form = parseForm(await page.text(), "/callback/credentials");
  check(form.fields.csrfToken, "sign-in page: no csrfToken field");
  const res = await request(`${app.origin}${form.path}`, {
    jar,
    method: "POST",
    form: { ...form.fields, username, password },
    headers: { origin: app.origin, referer: `${app.origin}/api/auth/signin` },
  });
  check(
    res.status === 302 || res.status === 303,
    `credentials callback: HTTP ${res.status}, expected a redirect`,
  );
  jar.location = res.headers.get("location") ?? "";
  return jar;
}

async function signOut(app, jar) {
  const page = await request(`${app.origin}/api/auth/signout`, { jar });
  check(page.status === 200, `sign-out page: HTTP ${page.status}`);
  const form = parseForm(await page.text(), "/api/auth/signout");
  const res = await request(`${app.origin}${form.path}`, {
    jar,
    method: "POST",
    form: form.fields,
    headers: { origin: app.origin, referer: `${app.origin}/api/auth/signout` },
  });
  check(res.status === 302 || res.status === 303, `sign-out: HTTP ${res.status}`);
}

/** The app's own view: `/api/auth/session`'s user, or null. Does not touch `jar`. */
async function nextUser(app, jar) {
  const res = await request(`${app.origin}/api/auth/session`, {
    headers: jar.cookies.size ? { cookie: jar.header() } : {},
  });
  check(res.status === 200, `${app.label} /api/auth/session: HTTP ${res.status}`);
  const body = await res.json();
  return body?.user ? normalize(body.user) : null;
}

/**
 * The Rust service's CSRF-protected `POST /posts`, called as a frontend does: the token from
 * the app's `GET /api/auth/csrf` (what `getCsrfToken()` returns) in `X-CSRF-Token`, next to
 * the app's CSRF cookie. Returns the HTTP status and the body's `by`.
 */
async function rustPost(rust, app, jar, { tamper = false } = {}) {
  const csrf = await request(`${app.origin}/api/auth/csrf`, { jar });
  check(csrf.status === 200, `${app.label} /api/auth/csrf: HTTP ${csrf.status}`);
  let { csrfToken } = await csrf.json();
  if (tamper) csrfToken = csrfToken.replace(/^./, (c) => (c === "0" ? "1" : "0"));
  return allAgree(rust, "POST /posts", async (service) => {
    const res = await fetch(`${service.origin}/posts`, {
      method: "POST",
      headers: {
        cookie: jar.header(),
        "x-csrf-token": csrfToken,
        "content-type": "application/json",
      },
      body: JSON.stringify({ title: "hello" }),
    });
    const body = res.status === 200 ? await res.json() : null;
    return { status: res.status, by: body?.by ?? null };
  });
}

/**
 * The name (v5-db: the e-mail) on the app's home page (a server component reading the
 * session), or null.
 */
async function pageUser(app, jar) {
  const res = await request(`${app.origin}/`, {
    headers: jar.cookies.size ? { cookie: jar.header() } : {},
  });
  check(res.status === 200, `${app.label} /: HTTP ${res.status}`);
  const html = (await res.text()).replaceAll("<!-- -->", "");
  return /Signed in as ([^<\s]+)\.\s/.exec(html)?.[1] ?? null;
}

/** The Rust view: `/me`'s user, or null on 401 (every service the same). */
async function rustUser(rust, jar) {
  return allAgree(rust, "/me", async (service) => {
    const res = await fetch(`${service.origin}/me`, {
      headers: jar.cookies.size ? { cookie: jar.header() } : {},
    });
    if (res.status === 401) return null;
    check(res.status === 200, `${service.label} /me: HTTP ${res.status}`);
    return normalize(await res.json());
  });
}

function normalize(user) {
  return { name: user.name ?? null, email: user.email ?? null, image: user.image ?? null };
}

function expectedUser(username) {
  return {
    name: username,
    email: `${username}@example.com`,
    image: `https://example.com/avatars/${username}.png`,
  };
}

// ---------------------------------------------------------------------------------------------
// Assertions and the case runner.


/** Equal as JSON text: values and the order of keys. */


/** Both views equal `expected` (a user, or null for "no session"). */
async function bothSee(app, rust, jar, expected, what) {
  same(await nextUser(app, jar), expected, `${what}: Next.js /api/auth/session`);
  same(await rustUser(rust, jar), expected, `${what}: Rust /me`);
}

function sessionCookies(jar, name) {
  return jar.names().filter((n) => n === name || new RegExp(`^${escape(name)}\\.\\d+$`).test(n));
}

function escape(text) {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

const results = { passed: 0, failed: 0 };

async function runCase(name, body) {
  const started = Date.now();
  try {
    const detail = await body();
    results.passed++;
    const took = `${((Date.now() - started) / 1000).toFixed(1)} s`;
    console.log(`ok   ${name} (${detail ? `${detail}, ` : ""}${took})`);
  } catch (e) {
    results.failed++;
    console.log(`FAIL ${name}: ${e.message}`);
  }
}

// ---------------------------------------------------------------------------------------------
// The cases, per flavor.

async function flavorCases(flavor) {
  const f = FLAVORS[flavor];
  const secureUrl = "https://localhost:8443"; // the public URL; TLS ends at a proxy
  const plainEnv = f.env({ secret: SECRET });
  const secureEnv = f.env({ secret: SECRET, url: secureUrl });

  // All instances of this flavor at once: they start in parallel, each on its own port.
  const [app, secureApp, shortApp, rust, secureRust] = await Promise.all([
    startApp(flavor, "plain", plainEnv),
    startApp(flavor, "https URL", secureEnv),
    startApp(flavor, `maxAge ${SHORT_MAX_AGE} s`, {
      ...plainEnv,
      SESSION_MAX_AGE: String(SHORT_MAX_AGE),
    }),
    startRust(flavor, "plain", plainEnv),
    startRust(flavor, "https URL", secureEnv),
  ]);

  // The expired case signs in first and checks last, so its wait overlaps the other cases.
  let expiring;
  await runCase(`${flavor} expired session: valid right after sign-in`, async () => {
    const jar = await signIn(shortApp, "eve");
    const issued = Math.floor(Date.now() / 1000);
    check(sessionCookies(jar, f.cookie).length === 1, `no ${f.cookie} cookie after sign-in`);
    // Read-only look: the reference view would refresh the cookie, so it is not applied.
    await bothSee(shortApp, rust, jar, expectedUser("eve"), "fresh short session");
    expiring = { jar, expiresAt: issued + SHORT_MAX_AGE };
  });

  await runCase(`${flavor} small session`, async () => {
    const jar = await signIn(app, "ada");
    same(sessionCookies(jar, f.cookie), [f.cookie], "session cookies");
    check(!jar.cookies.get(f.cookie).secure, "plain-http session cookie marked Secure");
    await bothSee(app, rust, jar, expectedUser("ada"), "after sign-in");
    // The app's server-rendered page (`getServerSession` / `auth()`) agrees too.
    same(await pageUser(app, jar), "ada", "the app's home page");
    same(await pageUser(app, new Jar()), null, "the app's home page without cookies");
    // The app's CSRF double-submit cookie, checked by the Rust service.
    same(await rustPost(rust, app, jar), { status: 200, by: "ada@example.com" }, "csrf check");
    same(await rustPost(rust, app, jar, { tamper: true }), { status: 403, by: null }, "bad token");
  });

  await runCase(`${flavor} wrong password: no session anywhere`, async () => {
    const jar = await signIn(app, "ada", "wrong password");
    check(/error=CredentialsSignin/.test(jar.location), `redirect to ${jar.location}`);
    same(sessionCookies(jar, f.cookie), [], "session cookies");
    await bothSee(app, rust, jar, null, "after a failed sign-in");
  });

  await runCase(`${flavor} chunked session (> 8 KB)`, async () => {
    const jar = await signIn(app, "big");
    const chunks = sessionCookies(jar, f.cookie);
    const size = chunks.reduce((n, name) => n + jar.cookies.get(name).value.length, 0);
    check(chunks.length >= 3 && !chunks.includes(f.cookie), `cookies ${chunks.join(", ")}`);
    check(size > 8192, `chunked token is only ${size} characters`);
    await bothSee(app, rust, jar, expectedUser("big"), "chunked");
    // Chunks listed in another order (proxies may reorder cookies): same answer.
    const reversed = new Jar([...jar.cookies].reverse());
    await bothSee(app, rust, reversed, expectedUser("big"), "chunks in reverse order");
    // A proxy that drops one chunk cookie loses the session, for both.
    const lost = jar.without(`${f.cookie}.${chunks.length - 1}`);
    await bothSee(app, rust, lost, null, "last chunk missing");
    return `${chunks.length} chunks, ${size} characters`;
  });

  await runCase(`${flavor} https URL: __Secure- cookie over plain loopback`, async () => {
    const jar = await signIn(secureApp, "grace");
    same(sessionCookies(jar, f.secureCookie), [f.secureCookie], "secure session cookies");
    same(sessionCookies(jar, f.cookie), [], "plain session cookies");
    check(jar.cookies.get(f.secureCookie).secure, "the __Secure- cookie lacks Secure");
    await bothSee(secureApp, secureRust, jar, expectedUser("grace"), "behind https");
    // The CSRF cookie is `__Host-` prefixed behind https; the Rust service checks that one.
    check(jar.names().some((n) => n.startsWith("__Host-")), `cookies ${jar.names().join(", ")}`);
    const post = await rustPost(secureRust, secureApp, jar);
    same(post, { status: 200, by: "grace@example.com" }, "csrf check behind https");
    // A service configured for plain http looks for the other cookie name.
    same(await rustUser(rust, jar), null, "Rust without the https URL");
  });

  await runCase(`${flavor} sign-out: Rust sees no session`, async () => {
    const jar = await signIn(app, "linus");
    const before = jar.clone();
    await bothSee(app, rust, jar, expectedUser("linus"), "before sign-out");
    await signOut(app, jar);
    same(sessionCookies(jar, f.cookie), [], "session cookies after sign-out");
    await bothSee(app, rust, jar, null, "after sign-out");
    // The token is stateless: a copy taken before sign-out stays valid until it expires, for
    // the app and the Rust service alike.
    await bothSee(app, rust, before, expectedUser("linus"), "copy from before sign-out");
  });

  if (flavor === "v5") await rotationCase(flavor, app);

  await runCase(`${flavor} expired session: no session anywhere`, async () => {
    check(expiring, "the session was not issued (see the first case)");
    // Expired once `exp <= now - clock tolerance`.
    const waitMs = (expiring.expiresAt + CLOCK_TOLERANCE + 1.5) * 1000 - Date.now();
    if (waitMs > 0) {
      console.log(`     waiting ${(waitMs / 1000).toFixed(1)} s for the session to expire`);
      await sleep(waitMs);
    }
    await bothSee(app, rust, expiring.jar, null, "expired");
  });
}

/** v5: sign in under the old secret, restart both sides with `[new, old]`. */
async function rotationCase(flavor, oldApp) {
  let jar;
  await runCase(`${flavor} secret rotation: sign in under the old secret`, async () => {
    jar = await signIn(oldApp, "ken");
  });
  if (!jar) return;
  // @auth/core reads [AUTH_SECRET_3, AUTH_SECRET_2, AUTH_SECRET_1, AUTH_SECRET] (the first one
  // set is current: it encrypts), but next-auth@5 first sets `secret = AUTH_SECRET` when that
  // is set, which hides the numbered ones. So the rotation is done with numbered variables only.
  const rotated = { AUTH_SECRET_2: NEW_SECRET, AUTH_SECRET_1: SECRET, AUTH_TRUST_HOST: "true" };
  const shadowed = { AUTH_SECRET_1: NEW_SECRET, AUTH_SECRET: SECRET, AUTH_TRUST_HOST: "true" };
  const [app, rust, newOnly, shadowedApp, shadowedRust] = await Promise.all([
    startApp(flavor, "rotated secrets", rotated),
    startRust(flavor, "rotated secrets", rotated),
    startRust(flavor, "new secret only", { AUTH_SECRET: NEW_SECRET }),
    startApp(flavor, "AUTH_SECRET_1 next to AUTH_SECRET", shadowed),
    startRust(flavor, "AUTH_SECRET_1 next to AUTH_SECRET", shadowed),
  ]);
  const oldToken = jar.cookies.get("authjs.session-token")?.value;
  try {
    await runCase(`${flavor} secret rotation: old session read with [new, old]`, async () => {
      check(oldToken, "no session cookie after sign-in");
      await bothSee(app, rust, jar, expectedUser("ken"), "old-secret session");
      same(await rustUser(newOnly, jar), null, "Rust with the new secret only");
      // The app re-issues the session under the new secret; both sides read that one too.
      const refreshed = jar.clone();
      await request(`${app.origin}/api/auth/session`, { jar: refreshed });
      const newToken = refreshed.cookies.get("authjs.session-token")?.value;
      check(newToken && newToken !== oldToken, "the app did not re-issue the session");
      check(kid(newToken) !== kid(oldToken), "the re-issued token has the old secret's kid");
      await bothSee(app, rust, refreshed, expectedUser("ken"), "re-issued session");
      same(await rustUser(newOnly, refreshed), expectedUser("ken"), "Rust, new secret only");
      // The CSRF hash covers the whole secret list, in the app and in the Rust service.
      const post = await rustPost(rust, app, refreshed);
      same(post, { status: 200, by: "ken@example.com" }, "csrf check with [new, old]");
    });
    const shadowCase = `${flavor} AUTH_SECRET_1 next to AUTH_SECRET: app keeps AUTH_SECRET`;
    await runCase(shadowCase, async () => {
      // Pins the next-auth@5 behaviour the README warns about: the app still encrypts with
      // AUTH_SECRET. The Rust service (which also trusts AUTH_SECRET_1) sees the same user.
      const refreshed = jar.clone();
      await request(`${shadowedApp.origin}/api/auth/session`, { jar: refreshed });
      const token = refreshed.cookies.get("authjs.session-token")?.value;
      check(token && token !== oldToken, "the app did not re-issue the session");
      same(kid(token), kid(oldToken), "kid of the re-issued token");
      await bothSee(shadowedApp, shadowedRust, refreshed, expectedUser("ken"), "re-issued");
    });
  } finally {
    await Promise.all([app, rust, newOnly, shadowedApp, shadowedRust].map(stop));
  }
}

function kid(token) {
  const header = JSON.parse(Buffer.from(token.split(".")[0], "base64url").toString("utf8"));
  return header.kid;
}

// ---------------------------------------------------------------------------------------------
// Database sessions (the v5-db app, @auth/pg-adapter). The session cookie holds an opaque token
// (a UUID); the session is a row of `sessions` (and the user one of `users`) in the cluster that
// e2e.sh started. The Rust service reads the same rows (DATABASE_URL, DATABASE_SCHEMA=pg) with
// its cache off (SESSION_CACHE_TTL_MS=0), so a row changed or deleted counts at once. Its
// `GET /session` must answer exactly the body of the app's `GET /api/auth/session`.

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const ISO_MS = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

/** A user created by a magic link: no name, no image (the e-mail as the app stores it). */
function emailUser(email) {
  return { name: null, email, image: null };
}

/**
 * Signs in with a magic link as a browser does: the CSRF cookie and token from
 * `GET /api/auth/csrf`, the e-mail form posted to `/api/auth/signin/email`, then the link the
 * app "mailed" (appended to its MAGIC_LINK_FILE) opened without following the redirect.
 * Returns the jar.
 */
async function signInEmail(app, email) {
  const jar = new Jar();
  const csrf = await request(`${app.origin}/api/auth/csrf`, { jar });
  check(csrf.status === 200, `${app.label} /api/auth/csrf: HTTP ${csrf.status}`);
  const { csrfToken } = await csrf.json();
  check(csrfToken, "/api/auth/csrf: no csrfToken");
  const res = await request(`${app.origin}/api/auth/signin/email`, {
    jar,
    method: "POST",
    form: { csrfToken, email, callbackUrl: "/" },
    headers: { origin: app.origin, referer: `${app.origin}/api/auth/signin` },
  });
  const sent = res.headers.get("location") ?? "";
  check(
    (res.status === 302 || res.status === 303) && /\/verify-request\?/.test(sent),
    `e-mail sign-in: HTTP ${res.status} to ${sent || "nowhere"}, expected /verify-request`,
  );
  // The link carries the app's public origin (AUTH_URL, or the host Next.js saw): it is opened
  // on the loopback address the app listens on, as a TLS-terminating proxy would forward it.
  const link = new URL(await magicLink(app, email));
  check(link.pathname === "/api/auth/callback/email", `magic link ${link}`);
  const callback = await request(`${app.origin}${link.pathname}${link.search}`, { jar });
  const landed = callback.headers.get("location") ?? "";
  check(
    (callback.status === 302 || callback.status === 303) && !/[?&]error=/.test(landed),
    `magic link: HTTP ${callback.status} to ${landed || "nowhere"}`,
  );
  return jar;
}

/** The newest link the app "sent" to `email` (the app appends one JSON line per e-mail). */
async function magicLink(app, email) {
  const text = await readFile(app.magicLinkFile, "utf8").catch(() => "");
  const links = text
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line))
    .filter((line) => line.email === email.trim().toLowerCase());
  check(links.length > 0, `no magic link for ${email} in ${app.magicLinkFile}`);
  return links.at(-1).url;
}

/** The app's whole `/api/auth/session` body, parsed (v5 answers null without a session). */
async function nextSession(app, jar) {
  const res = await request(`${app.origin}/api/auth/session`, {
    headers: jar.cookies.size ? { cookie: jar.header() } : {},
  });
  check(res.status === 200, `${app.label} /api/auth/session: HTTP ${res.status}`);
  return res.json();
}

/** A Rust route's JSON body, or null on 401 (every service the same). */
async function rustGet(rust, jar, route) {
  return allAgree(rust, route, async (service) => {
    const res = await fetch(`${service.origin}${route}`, {
      headers: jar.cookies.size ? { cookie: jar.header() } : {},
    });
    if (res.status === 401) return null;
    const text = await res.text();
    check(res.status === 200, `${service.label} ${route}: HTTP ${res.status} ${text.slice(0, 200)}`);
    return JSON.parse(text);
  });
}

/**
 * Both views of a database session equal `expected` (a user, or null for "no session"): the
 * app's body is `{"user": expected, "expires": ...}` (or null); the Rust `/me` is that user
 * and its `/session` that whole body (or both 401). Returns the app's body.
 */
async function bothSeeDb(app, rust, jar, expected, what) {
  // The Rust service reads first: the reference deletes an expired row as a side effect.
  const me = await rustGet(rust, jar, "/me");
  const session = await rustGet(rust, jar, "/session");
  const reference = await nextSession(app, jar);
  if (expected === null) {
    same(reference, null, `${what}: Next.js /api/auth/session`);
    same(me, null, `${what}: Rust /me (null = 401)`);
    same(session, null, `${what}: Rust /session (null = 401)`);
    return reference;
  }
  same(reference?.user, expected, `${what}: Next.js /api/auth/session user`);
  check(ISO_MS.test(reference.expires), `${what}: reference expires ${reference.expires}`);
  same(me, reference.user, `${what}: Rust /me`);
  same(session, reference, `${what}: Rust /session`);
  return reference;
}

async function databaseCases(flavor) {
  const f = FLAVORS[flavor];
  check(DATABASE_URL, "no database URL (E2E_DATABASE_URL): e2e.sh starts a PostgreSQL cluster");
  const { default: pg } = await import("pg");
  const db = new pg.Pool({ connectionString: DATABASE_URL, max: 2 });
  const linkDir = await mkdtemp(path.join(tmpdir(), "nextauth-e2e-links-"));
  tempDirs.add(linkDir);
  try {
    await db.query('select "sessionToken", expires, "userId" from sessions limit 0');
    await db.query("select id, name, email, image from users limit 0");
    await databaseFlavorCases(flavor, f, db, linkDir);
  } finally {
    await stopAll();
    await db.end();
    await rm(linkDir, { recursive: true, force: true });
    tempDirs.delete(linkDir);
  }
}

async function databaseFlavorCases(flavor, f, db, linkDir) {
  const secureUrl = "https://localhost:8443"; // the public URL; TLS ends at a proxy
  const dbEnv = { DATABASE_URL };
  const rustDbEnv = { DATABASE_URL, DATABASE_SCHEMA: "pg", SESSION_CACHE_TTL_MS: "0" };
  const plainEnv = f.env({ secret: SECRET });
  const secureEnv = f.env({ secret: SECRET, url: secureUrl });
  const startDbApp = async (label, env) => {
    const magicLinkFile = path.join(linkDir, `${label.replaceAll(/\W+/g, "-")}.jsonl`);
    const app = await startApp(flavor, label, { ...env, ...dbEnv, MAGIC_LINK_FILE: magicLinkFile });
    app.magicLinkFile = magicLinkFile;
    return app;
  };
  const [app, secureApp, rust, secureRust] = await Promise.all([
    startDbApp("plain", plainEnv),
    startDbApp("https URL", secureEnv),
    startRust(flavor, "plain", { ...plainEnv, ...rustDbEnv }),
    startRust(flavor, "https URL", { ...secureEnv, ...rustDbEnv }),
  ]);

  // Addresses unique to this run: the cases also pass against a database of an earlier run.
  const run = Date.now().toString(36);
  const mail = (name) => `${name}+${run}@example.com`;
  const token = (jar, name = f.cookie) => jar.cookies.get(name)?.value;
  const sessionRows = async (sessionToken) =>
    (await db.query('select expires from sessions where "sessionToken" = $1', [sessionToken]))
      .rows;

  await runCase(`${flavor} magic-link sign-in: same user and session body`, async () => {
    const jar = await signInEmail(app, mail("ada"));
    same(sessionCookies(jar, f.cookie), [f.cookie], "session cookies");
    check(!jar.cookies.get(f.cookie).secure, "plain-http session cookie marked Secure");
    check(UUID_V4.test(token(jar)), `session token ${token(jar)} is not a UUID`);
    const rows = await sessionRows(token(jar));
    same(rows.length, 1, "rows of sessions with the cookie's token");
    const body = await bothSeeDb(app, rust, jar, emailUser(mail("ada")), "after sign-in");
    // The body's `expires` is the row's.
    same(body.expires, rows[0].expires.toISOString(), "expires of the body and of the row");
    // The app's server-rendered page (`auth()` in a server component) agrees.
    same(await pageUser(app, jar), mail("ada"), "the app's home page");
    same(await pageUser(app, new Jar()), null, "the app's home page without cookies");
    return `token ${token(jar).slice(0, 8)}…, expires ${body.expires}`;
  });

  await runCase(`${flavor} name and image from the users row`, async () => {
    // Mixed case and spaces: the app stores the address normalized.
    const jar = await signInEmail(app, `  Grace+${run}@Example.COM `);
    await bothSeeDb(app, rust, jar, emailUser(mail("grace")), "before the update");
    const user = {
      name: "Grace Hopper (née Murray) ✓",
      email: mail("grace"),
      image: "https://example.com/avatars/grace.png?size=64&v=2",
    };
    const updated = await db.query("update users set name = $2, image = $3 where email = $1", [
      user.email,
      user.name,
      user.image,
    ]);
    same(updated.rowCount, 1, "users rows updated");
    await bothSeeDb(app, rust, jar, user, "after the update");
  });

  await runCase(`${flavor} unknown token, garbage cookie: no session anywhere`, async () => {
    await bothSeeDb(app, rust, new Jar(), null, "no cookie");
    const unknown = new Jar([[f.cookie, { value: crypto.randomUUID(), secure: false }]]);
    await bothSeeDb(app, rust, unknown, null, "unknown UUID");
    const garbage = new Jar([[f.cookie, { value: "not-a-session-token%ZZ", secure: false }]]);
    await bothSeeDb(app, rust, garbage, null, "garbage value");
    // A valid token, upper-cased: tokens are compared exactly.
    const jar = await signInEmail(app, mail("ken"));
    await bothSeeDb(app, rust, jar, emailUser(mail("ken")), "the real token");
    const upper = new Jar([[f.cookie, { value: token(jar).toUpperCase(), secure: false }]]);
    await bothSeeDb(app, rust, upper, null, "the token upper-cased");
  });

  await runCase(`${flavor} https URL: __Secure- cookie over plain loopback`, async () => {
    const jar = await signInEmail(secureApp, mail("hedy"));
    same(sessionCookies(jar, f.secureCookie), [f.secureCookie], "secure session cookies");
    same(sessionCookies(jar, f.cookie), [], "plain session cookies");
    check(jar.cookies.get(f.secureCookie).secure, "the __Secure- cookie lacks Secure");
    await bothSeeDb(secureApp, secureRust, jar, emailUser(mail("hedy")), "behind https");
    // A service configured for plain http looks for the other cookie name.
    same(await rustGet(rust, jar, "/me"), null, "Rust without the https URL: /me");
  });

  await runCase(`${flavor} sign-out deletes the row: Rust sees no session`, async () => {
    const jar = await signInEmail(app, mail("linus"));
    const before = jar.clone();
    const sessionToken = token(jar);
    await bothSeeDb(app, rust, jar, emailUser(mail("linus")), "before sign-out");
    await signOut(app, jar);
    same(sessionCookies(jar, f.cookie), [], "session cookies after sign-out");
    same((await sessionRows(sessionToken)).length, 0, "rows left for the token");
    await bothSeeDb(app, rust, jar, null, "after sign-out");
    // Unlike a JWT, a copy of the cookie taken before sign-out is dead too: the row is gone.
    await bothSeeDb(app, rust, before, null, "copy from before sign-out");
  });

  await runCase(`${flavor} expired session (expires set in the past)`, async () => {
    const jar = await signInEmail(app, mail("eve"));
    await bothSeeDb(app, rust, jar, emailUser(mail("eve")), "before expiry");
    const updated = await db.query(
      `update sessions set expires = now() - interval '1 minute' where "sessionToken" = $1`,
      [token(jar)],
    );
    same(updated.rowCount, 1, "sessions rows updated");
    // The Rust service reads first, while the expired row is still there.
    await bothSeeDb(app, rust, jar, null, "expired");
    // The reference deleted the expired row as it read it.
    same((await sessionRows(token(jar))).length, 0, "rows left after the reference's read");
  });
}

// ---------------------------------------------------------------------------------------------

const selected = process.env.E2E_ONLY ? process.env.E2E_ONLY.split(",") : Object.keys(FLAVORS);
for (const flavor of selected) {
  if (!Object.hasOwn(FLAVORS, flavor)) {
    console.error(`E2E_ONLY: no app ${flavor} (one of ${Object.keys(FLAVORS).join(", ")})`);
    process.exit(2);
  }
}

const startedAt = Date.now();
try {
  for (const flavor of selected) {
    try {
      await (FLAVORS[flavor].database ? databaseCases : flavorCases)(flavor);
    } catch (e) {
      results.failed++;
      console.log(`FAIL ${flavor} set-up: ${e.message}`);
    } finally {
      await stopAll();
    }
  }
} finally {
  await stopAll();
}
console.log(`cases took ${((Date.now() - startedAt) / 1000).toFixed(1)} s`);
console.log(`e2e: ${results.passed} passed, ${results.failed} failed`);
process.exit(results.failed === 0 && results.passed > 0 ? 0 : 1);
