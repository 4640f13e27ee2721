import { toNextJsHandler } from "better-auth/next-js";
import { getAuth } from "../../../../auth.js";

// better-auth's handler, made on the first request (see auth.js).
const handler = (request) => toNextJsHandler(getAuth()).GET(request);

export const GET = handler;
export const POST = handler;
