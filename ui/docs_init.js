// /docs: starts Swagger UI on the host's own description and adds the token
// (asked once per tab, kept in sessionStorage like the dashboard's) to its requests.

/* global SwaggerUIBundle */
const TOKEN_KEY = "isopod-token";

function addToken(request) {
  let token = sessionStorage.getItem(TOKEN_KEY);
  if (token === null) {
    token = window.prompt("isopod token (isopod token create, or .isopod/admin-token)") || "";
    sessionStorage.setItem(TOKEN_KEY, token);
  }
  if (token && !request.headers.Authorization) request.headers.Authorization = "Bearer " + token;
  return request;
}

const root = document.getElementById("swagger-ui");
window.ui = SwaggerUIBundle({
  url: root.dataset.url,
  domNode: root,
  requestInterceptor: addToken,
  persistAuthorization: true,
});
