// Better Auth with e-mail and password sign-in, configured from the environment (options.mjs).
// The instance is made on first use, at run time: `next build` loads the route modules with no
// BA_MODE, secret or database.
import { betterAuth } from "better-auth";
import { authOptions } from "./options.mjs";

let instance;

export function getAuth() {
  instance ??= betterAuth(authOptions());
  return instance;
}
