// The console's frame: sign in or out, the navigation, and which page shows
// (from the location's hash, which never carries the token).

import { api, tokenStore } from "./api.js";
import { HostPage } from "./host_page.js";
import { html, useEffect, useState } from "./html.js";
import { PackagePage } from "./package_page.js";
import { PackagesPage } from "./packages_page.js";
import { SignIn } from "./sign_in.js";

function routeOf(hash) {
  const match = /^#\/packages\/(.+)$/.exec(hash);
  if (match) {
    try {
      return { page: "package", name: decodeURIComponent(match[1]) };
    } catch {
      return { page: "packages" };
    }
  }
  return hash === "#/host" ? { page: "host" } : { page: "packages" };
}

function useRoute() {
  const [route, setRoute] = useState(routeOf(location.hash));
  useEffect(() => {
    const update = () => setRoute(routeOf(location.hash));
    window.addEventListener("hashchange", update);
    return () => window.removeEventListener("hashchange", update);
  }, []);
  return route;
}

export function App() {
  const [session, setSession] = useState(undefined);
  const [notice, setNotice] = useState(undefined);
  const [checking, setChecking] = useState(tokenStore.get() !== null);
  const route = useRoute();

  const signOut = (message) => {
    tokenStore.clear();
    setSession(undefined);
    setNotice(message);
  };

  useEffect(() => {
    const onUnauthorized = () => signOut("The host no longer accepts this token; sign in again.");
    window.addEventListener("isopod:unauthorized", onUnauthorized);
    if (tokenStore.get() !== null) {
      api("GET", "/v1/ui/session")
        .then(setSession, (error) => signOut(error.message))
        .finally(() => setChecking(false));
    }
    return () => window.removeEventListener("isopod:unauthorized", onUnauthorized);
  }, []);

  if (checking) return html`<p class="loading">Checking the token…</p>`;
  if (!session) return html`<${SignIn} notice=${notice} onSignedIn=${(s) => (setNotice(undefined), setSession(s))} />`;

  const current = (page) => (route.page === page ? "page" : undefined);
  return html`
    <header class="top">
      <strong class="brand">isopod</strong>
      <nav aria-label="Main">
        <a href="#/" aria-current=${current("packages")}>Packages</a>
        <a href="#/host" aria-current=${current("host")}>Host</a>
        <a href="/docs" target="_blank" rel="noopener">API docs</a>
      </nav>
      <span class="who">${session.name} (${session.role})</span>
      <button type="button" onClick=${() => signOut(undefined)}>Sign out</button>
    </header>
    <main>
      ${route.page === "packages" && html`<${PackagesPage} session=${session} />`}
      ${route.page === "package" && html`<${PackagePage} key=${route.name} name=${route.name} session=${session} />`}
      ${route.page === "host" && html`<${HostPage} session=${session} />`}
    </main>`;
}
