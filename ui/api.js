// Calls to the host's API with the signed-in token in a header (never in a
// URL); errors come back as ApiError with the API's code and message.

const TOKEN_KEY = "isopod-token";

export const tokenStore = {
  get: () => sessionStorage.getItem(TOKEN_KEY),
  set: (token) => sessionStorage.setItem(TOKEN_KEY, token),
  clear: () => sessionStorage.removeItem(TOKEN_KEY),
};

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

/** Headers for a call with `token` (default: the signed-in one). */
export function authHeaders(token = tokenStore.get()) {
  return { authorization: `Bearer ${token ?? ""}`, accept: "application/json" };
}

/** Turns an answer that is not 2xx into an ApiError; a 401 also signs the page out. */
export async function errorOf(response) {
  let error;
  try {
    error = (await response.json()).error;
  } catch {
    error = undefined;
  }
  if (response.status === 401) window.dispatchEvent(new CustomEvent("isopod:unauthorized"));
  return new ApiError(response.status, error?.code ?? "http", error?.message ?? `${response.status} ${response.statusText}`);
}

/** `api("POST", "/v1/packages", body)`: the answer's JSON, or throws ApiError. */
export async function api(method, path, body, options = {}) {
  const headers = authHeaders(options.token);
  if (body !== undefined) headers["content-type"] = "application/json";
  let response;
  try {
    response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), cache: "no-store" });
  } catch (error) {
    throw new ApiError(0, "unreachable", `cannot reach the host: ${error.message}`);
  }
  if (!response.ok) throw await errorOf(response);
  return response.json();
}

/** The API path of one package (a scoped name encoded as one segment). */
export const packagePath = (name) => `/v1/packages/${encodeURIComponent(name)}`;

/** The dashboard's link to one package's page. */
export const packageHref = (name) => `#/packages/${encodeURIComponent(name)}`;
