import { auth } from "../auth.js";

// The app's own view of the session (server-side), next to the Rust service's `/me`.
export default async function Home() {
  const session = await auth();
  return (
    <main>
      {session?.user ? (
        <p>
          Signed in as {session.user.email}. <a href="/api/auth/signout">Sign out</a>
        </p>
      ) : (
        <a href="/api/auth/signin">Sign in</a>
      )}
    </main>
  );
}
