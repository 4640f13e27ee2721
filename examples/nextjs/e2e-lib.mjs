// Shared by the e2e runners (e2e.mjs, e2e-better-auth.mjs): processes started and stopped by
// pid, free ports, a browser-like cookie jar, and the checks.

import { spawn } from "node:child_process";
import { createServer } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";

/** Every child process still running; each runner stops them all at exit. */
export const children = new Set();

/** A clean environment: PATH and friends only, nothing of the caller's auth variables. */
export function baseEnv(extra = {}) {
  const env = { NEXT_TELEMETRY_DISABLED: "1", ...extra };
  for (const name of ["PATH", "HOME", "LANG", "TMPDIR", "SYSTEMROOT"]) {
    if (process.env[name] !== undefined) env[name] = process.env[name];
  }
  return env;
}

export function clip(text) {
  return text.length > 400 ? `${text.slice(0, 400)}… (${text.length} chars)` : text;
}

export function start(label, command, args, { cwd, env }) {
  const child = spawn(command, args, { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
  const proc = { label, child, output: "", exited: false };
  const collect = (chunk) => {
    proc.output += chunk;
    if (proc.output.length > 64 * 1024) proc.output = proc.output.slice(-32 * 1024);
  };
  child.stdout.setEncoding("utf8").on("data", collect);
  child.stderr.setEncoding("utf8").on("data", collect);
  proc.exit = new Promise((resolve) => {
    child.on("exit", (code, signal) => {
      proc.exited = true;
      children.delete(proc);
      resolve({ code, signal });
    });
    child.on("error", (e) => {
      proc.output += `\nspawn error: ${e.message}`;
      proc.exited = true;
      children.delete(proc);
      resolve({ code: null, signal: null });
    });
  });
  children.add(proc);
  return proc;
}

export async function stop(proc) {
  if (proc?.members) {
    await Promise.all(proc.members.map(stop));
    return;
  }
  if (!proc || proc.exited || proc.child.pid === undefined) return;
  try {
    process.kill(proc.child.pid, "SIGTERM");
  } catch {
    return;
  }
  const done = await Promise.race([proc.exit.then(() => true), sleep(5000).then(() => false)]);
  if (!done) {
    try {
      process.kill(proc.child.pid, "SIGKILL");
    } catch {
      // already gone
    }
    await proc.exit;
  }
}

export async function stopAll() {
  await Promise.all([...children].map(stop));
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

export class Jar {
  constructor(entries = []) {
    this.cookies = new Map(entries);
  }

  clone() {
    return new Jar([...this.cookies].map(([k, v]) => [k, { ...v }]));
  }

  update(res) {
    for (const line of res.headers.getSetCookie()) {
      const [pair, ...attrs] = line.split(";");
      const eq = pair.indexOf("=");
      if (eq < 0) continue;
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      const attributes = attrs.map((a) => a.trim().toLowerCase());
      const maxAge = attributes.find((a) => a.startsWith("max-age="));
      const expires = attributes.find((a) => a.startsWith("expires="));
      // Max-Age wins over Expires (RFC 6265 5.3); Expires has whole seconds only.
      const removed =
        value === "" ||
        (maxAge !== undefined
          ? Number(maxAge.slice(8)) <= 0
          : expires !== undefined && Date.parse(expires.slice(8)) < Date.now() - 1000);
      if (removed) this.cookies.delete(name);
      else {
        this.cookies.set(name, {
          value,
          secure: attributes.includes("secure"),
          maxAge: maxAge === undefined ? null : Number(maxAge.slice(8)),
        });
      }
    }
  }

  names() {
    return [...this.cookies.keys()];
  }

  value(name) {
    return this.cookies.get(name)?.value;
  }

  header() {
    return [...this.cookies].map(([name, { value }]) => `${name}=${value}`).join("; ");
  }

  without(name) {
    const jar = this.clone();
    jar.cookies.delete(name);
    return jar;
  }

  with(name, value) {
    const jar = this.clone();
    jar.cookies.set(name, { value, secure: false, maxAge: null });
    return jar;
  }
}

export function check(condition, message) {
  if (!condition) throw new Error(message);
}

export function same(actual, expected, what) {
  const a = JSON.stringify(actual);
  const e = JSON.stringify(expected);
  if (a === e) return;
  const orderOnly = JSON.stringify(sorted(actual)) === JSON.stringify(sorted(expected));
  const note = orderOnly ? " (only the key order differs)" : "";
  throw new Error(`${what}: got ${clip(a)}, expected ${clip(e)}${note}`);
}

export function sorted(value) {
  if (Array.isArray(value)) return value.map(sorted);
  if (value === null || typeof value !== "object") return value;
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((k) => [k, sorted(value[k])]),
  );
}

/**
 * The Rust services under test, from the runner's first argument: a comma-separated list of
 * `name=path` (or bare paths, named after the file), for example
 * `axum=target/debug/examples/axum,actix=target/debug/examples/actix`.
 */
export function rustServices(arg) {
  const services = String(arg ?? "")
    .split(",")
    .filter(Boolean)
    .map((entry) => {
      const eq = entry.indexOf("=");
      const bin = eq < 0 ? entry : entry.slice(eq + 1);
      const name = eq < 0 ? bin.split(/[\\/]/).at(-1).replace(/-[0-9a-f]{16}$/, "") : entry.slice(0, eq);
      return { name, bin };
    });
  if (services.length === 0) throw new Error("no Rust service given");
  return services;
}

/**
 * Every Rust service with the same environment, each on an ephemeral loopback port (it prints
 * the address it bound). Resolves to a group `{ label, members }` (each member a process with
 * `name` and `origin`) once all of them listen; a service that does not start within 15 s is
 * stopped and leaves its member with `down` set (the reason) and no origin.
 */
export async function startRustGroup(services, label, env) {
  const members = await Promise.all(
    services.map(async ({ name, bin }) => {
      const proc = start(`rust ${name} (${label})`, bin, [], { env });
      proc.name = name;
      const deadline = Date.now() + 15_000;
      while (!proc.exited && Date.now() < deadline) {
        const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(proc.output);
        if (m) {
          proc.origin = m[1];
          return proc;
        }
        await sleep(50);
      }
      await stop(proc);
      const reason = proc.output.trim().split("\n").at(-1) || "no output";
      proc.down = `${name}: the service did not start: ${reason}`;
      return proc;
    }),
  );
  return { label, members };
}

/** The same question to every member of a Rust group: their answers must agree; returns it. */
export async function allAgree(group, what, ask) {
  let first = null;
  for (const member of group.members) {
    check(!member.down, member.down);
    const answer = await ask(member);
    if (first === null) first = { name: member.name, answer };
    else same(answer, first.answer, `${what}: ${member.name} differs from ${first.name}`);
  }
  return first.answer;
}
