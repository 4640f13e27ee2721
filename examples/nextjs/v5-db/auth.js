// Auth.js v5 (next-auth@5) with the database session strategy: sessions are rows of
// @auth/pg-adapter's tables (schema.sql) in PostgreSQL, and the `authjs.session-token` cookie
// holds only an opaque session token (a UUID) that the Rust service looks up in the same tables.
// Users sign in with a magic link (the Email provider). No mail is sent: the link is appended,
// as one JSON line, to the file named by MAGIC_LINK_FILE, where the e2e reads it.
// Everything comes from the environment, at run time: AUTH_SECRET, AUTH_TRUST_HOST, AUTH_URL
// (optional; https => `__Secure-` cookies), DATABASE_URL, MAGIC_LINK_FILE.
import { appendFile } from "node:fs/promises";
import NextAuth from "next-auth";
import PostgresAdapter from "@auth/pg-adapter";
import { Pool } from "pg";

// Created at start-up but connects lazily, on the first query: `next build` needs no database.
const pool = new Pool({ connectionString: process.env.DATABASE_URL });

export const { handlers, auth } = NextAuth({
  adapter: PostgresAdapter(pool),
  providers: [
    {
      id: "email",
      type: "email",
      name: "Email",
      maxAge: 10 * 60, // the magic link's lifetime, seconds
      async sendVerificationRequest({ identifier, url, expires }) {
        const file = process.env.MAGIC_LINK_FILE;
        if (!file) throw new Error("MAGIC_LINK_FILE is not set: nowhere to put the magic link");
        const line = JSON.stringify({ email: identifier, url, expires: expires.toISOString() });
        await appendFile(file, `${line}\n`);
      },
    },
  ],
  // Explicit, although an adapter already makes "database" the default.
  session: { strategy: "database" },
});
