// The HTTP API as a Hono app: public routes first, then everything behind a
// bearer token, with errors turned into answers in one place.

import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { HTTPException } from "hono/http-exception";
import { IsopodError, type Host } from "../runtime/index.ts";
import { requireToken, type AuthEnv } from "./auth.ts";
import { errorResponse } from "./error_response.ts";
import { batchRoutes } from "./routes/batch.ts";
import { fleetRoutes } from "./routes/fleet.ts";
import { msgpackAnswers } from "./msgpack.ts";
import { actorRoutes } from "./routes/actors.ts";
import { openApiRoute } from "./routes/openapi.ts";
import { healthRoutes } from "./routes/health.ts";
import { logRoutes } from "./routes/logs.ts";
import { metricsRoutes } from "./routes/metrics.ts";
import { operationRoutes } from "./routes/operations.ts";
import { packageRoutes } from "./routes/packages.ts";
import { pkgHandler } from "./routes/pkg.ts";
import { resourceRoutes } from "./routes/resources.ts";
import { statsRoutes } from "./routes/stats.ts";
import { tokenRoutes } from "./routes/tokens.ts";
import { dashboardRoutes, docsPage, uiPage } from "./ui/index.ts";

/** Largest API request body. */
const MAX_BODY_BYTES = 1024 * 1024;

export function createApp(host: Host): Hono<AuthEnv> {
  const app = new Hono<AuthEnv>();
  app.onError((error, c) => errorResponse(c, error));
  app.notFound((c) => errorResponse(c, new IsopodError("not_found", `no route ${c.req.method} ${c.req.path}`)));
  app.use("*", msgpackAnswers());

  app.route("/healthz", healthRoutes(host));
  // Public: a package's own HTTP answers, no token (docs/reference/api.md#authentication-and-roles).
  app.all("/pkg/*", pkgHandler(host));
  app.route("/docs", docsPage());
  app.route("/ui", uiPage());

  for (const prefix of ["/v1/*", "/actors/*"]) {
    app.use(prefix, requireToken(host.tokens));
    app.use(
      prefix,
      bodyLimit({
        maxSize: MAX_BODY_BYTES,
        onError: () => {
          // An HTTPException keeps the 413 that docs/decisions.md promises; the code stays bad_request.
          throw new HTTPException(413, { message: `request body is larger than ${MAX_BODY_BYTES} bytes` });
        },
      }),
    );
  }
  app.route("/v1/packages", packageRoutes(host));
  app.route("/v1/batch", batchRoutes(host));
  app.route("/v1/operations", operationRoutes(host));
  app.route("/v1/packages", logRoutes(host));
  app.route("/v1", statsRoutes(host));
  app.route("/v1/resources", resourceRoutes(host));
  app.route("/v1/fleet", fleetRoutes(host));

  app.use("/metrics", requireToken(host.tokens));
  app.route("/metrics", metricsRoutes(host));
  app.route("/v1/tokens", tokenRoutes(host));
  app.route("/actors", actorRoutes(host));
  app.route("/v1/ui", dashboardRoutes());
  app.route("/v1/openapi.json", openApiRoute(app));
  return app;
}
