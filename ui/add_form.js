// Adding a package from a folder on the host or a GitHub URL: the folder's
// requested permissions are shown first, and the operator chooses the grant.

import { api } from "./api.js";
import { addWithSteps, stepText } from "./add_stream.js";
import { permission } from "./format.js";
import { html, useState } from "./html.js";

const isUrl = (text) => /^https?:\/\//i.test(text);
const NAMES = ["net", "env", "read", "write"];

export function PermissionTable({ caption, columns }) {
  return html`
    <table class="permissions">
      <caption>${caption}</caption>
      <thead><tr><th scope="col">Permission</th>${columns.map((c) => html`<th scope="col">${c.label}</th>`)}</tr></thead>
      <tbody>${NAMES.map((n) => html`<tr><th scope="row">${n}</th>${columns.map((c) => html`<td>${permission(c.set?.[n])}</td>`)}</tr>`)}</tbody>
    </table>`;
}

function grantOf(choice, custom) {
  if (choice === "none") return {};
  if (choice === "requested") return { grant: "requested" };
  try {
    return { grant: JSON.parse(custom) };
  } catch {
    throw new Error(`The custom grant is not JSON: write it as in deno.json, e.g. {"net": ["api.example.com"]}`);
  }
}

export function AddForm({ onAdded }) {
  const [sourceText, setSource] = useState("");
  const [inspected, setInspected] = useState(undefined);
  const [choice, setChoice] = useState("none");
  const [custom, setCustom] = useState('{"net": []}');
  const [start, setStart] = useState(true);
  const [message, setMessage] = useState(undefined);
  const [busy, setBusy] = useState(false);

  const check = async () => {
    setInspected(undefined);
    setMessage(undefined);
    if (isUrl(sourceText)) return setMessage({ text: "The host reads a GitHub package's permissions when it fetches it; they show on its page after adding." });
    try {
      setInspected(await api("POST", "/v1/ui/inspect", { path: sourceText.trim() }));
    } catch (error) {
      setMessage({ error: true, text: `${error.code}: ${error.message}` });
    }
  };

  const submit = async (event) => {
    event.preventDefault();
    setBusy(true);
    setMessage({ text: "Adding…" });
    try {
      const where = isUrl(sourceText) ? { git_url: sourceText.trim() } : { path: sourceText.trim() };
      const added = await addWithSteps({ ...where, start, ...grantOf(choice, custom) }, (step) => setMessage({ text: `Adding… ${stepText(step)}` }));
      setMessage({ text: `Added ${added.name} ${added.version}: ${added.state}` });
      onAdded?.();
    } catch (error) {
      setMessage({ error: true, text: `${error.code ?? "error"}: ${error.message}` });
    } finally {
      setBusy(false);
    }
  };

  return html`
    <section class="add" aria-labelledby="add-title">
      <h2 id="add-title">Add a package</h2>
      <form onSubmit=${submit}>
        <label for="add-source">Source (a folder on the host, or a GitHub URL)</label>
        <div class="row">
          <input id="add-source" type="text" value=${sourceText} placeholder="/srv/packages/clock or https://github.com/acme/pkgs/tree/main/clock"
            onInput=${(e) => (setSource(e.currentTarget.value), setInspected(undefined))} />
          <button type="button" onClick=${check} disabled=${sourceText.trim() === ""}>Show permissions</button>
        </div>
        ${inspected && html`<p>${inspected.name} ${inspected.version} asks for:</p>
          <${PermissionTable} caption="Requested permissions" columns=${[{ label: "Requested", set: inspected.requested }]} />`}
        <fieldset>
          <legend>Grant</legend>
          <label><input type="radio" name="grant" checked=${choice === "none"} onChange=${() => setChoice("none")} /> Nothing</label>
          <label><input type="radio" name="grant" checked=${choice === "requested"} onChange=${() => setChoice("requested")} /> What it requests</label>
          <label><input type="radio" name="grant" checked=${choice === "custom"} onChange=${() => setChoice("custom")} /> Custom</label>
          ${choice === "custom" && html`<label for="add-grant">Custom grant (JSON, Deno permission syntax)</label>
            <textarea id="add-grant" rows="3" value=${custom} onInput=${(e) => setCustom(e.currentTarget.value)}></textarea>`}
        </fieldset>
        <label><input type="checkbox" checked=${start} onChange=${(e) => setStart(e.currentTarget.checked)} /> Start it</label>
        <button type="submit" disabled=${busy || sourceText.trim() === ""}>Add</button>
        <p class=${message?.error ? "error" : "ok"} role="status">${message?.text ?? ""}</p>
      </form>
    </section>`;
}
