// The lifecycle buttons of one package (Start, Stop, Reload, Upgrade,
// Delete): admin only, disabled for a viewer with the reason on hover.

import { api, packagePath } from "./api.js";
import { html, useState } from "./html.js";

export const VIEWER_REASON = "A viewer token can only read; sign in with an admin token to change packages.";

const ACTIONS = [
  { label: "Start", run: (name) => api("POST", `${packagePath(name)}/start`) },
  { label: "Stop", run: (name) => api("POST", `${packagePath(name)}/stop`) },
  { label: "Reload", run: (name) => api("POST", `${packagePath(name)}/reload`) },
  { label: "Upgrade", run: (name) => api("POST", `${packagePath(name)}/upgrade`) },
  {
    label: "Delete",
    confirm: (name) => `Delete ${name}? It is stopped, its uninstall hook runs, its files go to the trash; its history stays.`,
    run: (name) => api("DELETE", packagePath(name)),
  },
];

/** `onDone(name, label, error?)` hears each finished action; `onChange()` asks the page to reload its data. */
export function PackageActions({ name, session, onDone, onChange }) {
  const [busy, setBusy] = useState(undefined);
  const viewer = session.role !== "admin";

  const run = async (action) => {
    if (action.confirm && !window.confirm(action.confirm(name))) return;
    setBusy(action.label);
    try {
      await action.run(name);
      onDone?.(name, action.label);
    } catch (error) {
      onDone?.(name, action.label, error);
    } finally {
      setBusy(undefined);
      onChange?.();
    }
  };

  return html`
    <span class="actions" role="group" aria-label=${`Actions for ${name}`}>
      ${ACTIONS.map((action) => {
        const reason = viewer ? VIEWER_REASON : busy ? `${busy} in progress` : undefined;
        return html`<span class="action" title=${reason}>
          <button type="button" disabled=${viewer || busy !== undefined} title=${reason}
            class=${action.label === "Delete" ? "danger" : undefined}
            onClick=${() => run(action)}>${busy === action.label ? `${action.label}…` : action.label}</button>
        </span>`;
      })}
    </span>`;
}
