import { getServerSession } from "next-auth/next";
import { authOptions } from "../auth.js";

// The app's own view of the session (server-side), next to the Rust service's `/me`.
export default async function Home() {
  const session = await getServerSession(authOptions);
  return (
    <main>
      {session?.user ? (
        <p>
          Signed in as {session.user.name}. <a href="/api/auth/signout">Sign out</a>
        </p>
      ) : (
        <a href="/api/auth/signin">Sign in</a>
      )}
    </main>
  );
}
