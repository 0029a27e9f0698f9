// api/ui/: the operator's dashboard (/ui), the offline API docs (/docs), and
// the few routes the dashboard needs (/v1/ui).

export { dashboardRoutes, inspectRequestSchema } from "./dashboard_routes.ts";
export { docsPage } from "./docs_page.ts";
export { uiPage } from "./ui_page.ts";
