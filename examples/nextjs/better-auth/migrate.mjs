// Creates better-auth's tables for the app's options (options.mjs, BA_MODE=database and
// DATABASE_URL) with better-auth's own migration API, as `npx @better-auth/cli migrate` does.
// Run by the e2e before the app starts:
//
//   BA_MODE=database DATABASE_URL=postgres://... node migrate.mjs
import { getMigrations } from "better-auth/db/migration";
import { authOptions } from "./options.mjs";

const options = authOptions();
try {
  const { toBeCreated, toBeAdded, runMigrations } = await getMigrations(options);
  await runMigrations();
  const tables = toBeCreated.map((t) => t.table);
  const columns = toBeAdded.flatMap((t) => Object.keys(t.fields).map((f) => `${t.table}.${f}`));
  console.log(`better-auth migration: created ${tables.join(", ") || "no table"}` +
    (columns.length ? `, added ${columns.join(", ")}` : ""));
} finally {
  await options.database?.end();
}
