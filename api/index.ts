// api/: the HTTP API.

export { createApp } from "./app.ts";
export { listen, type RunningServer } from "./server.ts";
