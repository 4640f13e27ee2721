// Auth.js v5 (next-auth@5): the Credentials provider and the JWT session strategy, so the
// session lives in the encrypted `authjs.session-token` cookie that the Rust service reads.
// Everything that varies per deployment comes from the environment, at run time: AUTH_SECRET,
// AUTH_URL (https => `__Secure-` cookies), AUTH_TRUST_HOST, SESSION_MAX_AGE (seconds). To
// rotate, use AUTH_SECRET_1..3 WITHOUT AUTH_SECRET: next-auth@5 takes AUTH_SECRET alone when it
// is set, and only otherwise the list AUTH_SECRET_3, _2, _1 (the first set one encrypts).
import NextAuth from "next-auth";
import Credentials from "next-auth/providers/credentials";

/** The demo's only password; a real app checks its user store. */
const PASSWORD = "correct horse battery staple";

export const { handlers, auth } = NextAuth({
  providers: [
    Credentials({
      credentials: {
        username: { label: "Username", type: "text" },
        password: { label: "Password", type: "password" },
      },
      async authorize(credentials) {
        const username = typeof credentials?.username === "string" ? credentials.username : "";
        if (!/^[a-z0-9-]{1,32}$/.test(username) || credentials?.password !== PASSWORD) {
          return null;
        }
        return {
          id: `user-${username}`,
          name: username,
          email: `${username}@example.com`,
          image: `https://example.com/avatars/${username}.png`,
        };
      },
    }),
  ],
  session: {
    strategy: "jwt",
    maxAge: Number(process.env.SESSION_MAX_AGE) || 30 * 24 * 60 * 60,
  },
  callbacks: {
    // On sign-in `user` is what `authorize` returned. The user `big` gets a large custom
    // claim, so the token no longer fits one cookie and is split into `.0`, `.1`, ... chunks.
    async jwt({ token, user }) {
      if (user?.name === "big") {
        token.groups = Array.from({ length: 560 }, (_, i) => `group-${String(i).padStart(4, "0")}`);
      }
      return token;
    },
  },
});
