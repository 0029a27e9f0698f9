// The dashboard's entry: renders the app into the page.

import { App } from "./app.js";
import { html, render } from "./html.js";

const root = document.getElementById("app");
root.textContent = "";
render(html`<${App} />`, root);
