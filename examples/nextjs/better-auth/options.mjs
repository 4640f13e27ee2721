// The Better Auth options of the demo app, from the environment, read at run time (shared by
// auth.js and migrate.mjs, so the migration creates exactly the tables the app uses):
// - BA_MODE: `database` (sessions are rows of better-auth's tables in PostgreSQL, DATABASE_URL)
//   or `stateless` (no database: the session lives in the cookies, a JWE cookie cache);
// - BA_CACHE (database mode only): the cookie cache strategy, `compact`, `jwt`, `jwe` or `none`
//   (default: none, better-auth's own default);
// - BETTER_AUTH_SECRET, BETTER_AUTH_URL: read by better-auth itself (BETTER_AUTH_URL with https
//   gives `__Secure-` cookie names);
// - DATABASE_URL: postgres://... (database mode).
import { Pool } from "pg";

const MODES = ["database", "stateless"];
const CACHES = ["compact", "jwt", "jwe", "none"];

export function authOptions(env = process.env) {
  const mode = env.BA_MODE;
  if (!MODES.includes(mode)) throw new Error(`BA_MODE=${mode ?? ""}: use ${MODES.join(" or ")}`);
  const options = {
    emailAndPassword: { enabled: true },
    // The e2e signs many users in from one address within seconds; better-auth's default in
    // production (3 sign-ins per 10 s per path) would answer 429.
    rateLimit: { enabled: false },
    telemetry: { enabled: false },
  };
  if (mode === "stateless") {
    // No `database`: better-auth's stateless mode. Its defaults, spelled out: a JWE cookie cache
    // that carries the session, refreshed as it ages.
    options.session = { cookieCache: { enabled: true, strategy: "jwe", refreshCache: true } };
    return options;
  }
  if (!env.DATABASE_URL) throw new Error("BA_MODE=database needs DATABASE_URL");
  const cache = env.BA_CACHE || "none";
  if (!CACHES.includes(cache)) throw new Error(`BA_CACHE=${cache}: use ${CACHES.join(", ")}`);
  // Connects lazily, on the first query.
  options.database = new Pool({ connectionString: env.DATABASE_URL });
  if (cache !== "none") options.session = { cookieCache: { enabled: true, strategy: cache } };
  return options;
}
