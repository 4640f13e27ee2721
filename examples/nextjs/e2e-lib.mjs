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
