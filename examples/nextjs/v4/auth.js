// NextAuth.js v4 (next-auth@4): the Credentials provider and the JWT session strategy, so
// the session lives in the encrypted `next-auth.session-token` cookie that the Rust service
// reads. Everything that varies per deployment comes from the environment, at run time:
// NEXTAUTH_SECRET, NEXTAUTH_URL (https => `__Secure-` cookies), SESSION_MAX_AGE (seconds).
import CredentialsProvider from "next-auth/providers/credentials";

/** The demo's only password; a real app checks its user store. */
const PASSWORD = "correct horse battery staple";

const maxAge = Number(process.env.SESSION_MAX_AGE) || 30 * 24 * 60 * 60;

export const authOptions = {
  providers: [
    CredentialsProvider({
      name: "Password",
      credentials: {
        username: { label: "Username", type: "text" },
        password: { label: "Password", type: "password" },
      },
      async authorize(credentials) {
        const username = credentials?.username ?? "";
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
  session: { strategy: "jwt", maxAge },
  // In next-auth@4 the token's own `exp` comes from `jwt.maxAge`, which does NOT follow
  // `session.maxAge` (it stays 30 days): set both, or a copied cookie outlives the session.
  jwt: { maxAge },
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
};
