import { headers } from "next/headers";
import { getAuth } from "../auth.js";

// The app's own view of the session (server-side, `auth.api.getSession`), next to the Rust
// service's. Reads request headers, so it is rendered per request.
export default async function Home() {
  const requestHeaders = await headers(); // first: it marks the page dynamic (no prerender)
  const session = await getAuth().api.getSession({ headers: requestHeaders });
  return (
    <main>
      {session?.user ? <p>Signed in as {session.user.email}. </p> : <p>Not signed in.</p>}
    </main>
  );
}
