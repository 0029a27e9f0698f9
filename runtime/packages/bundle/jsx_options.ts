// Deno's `compilerOptions` for JSX in deno.json as esbuild options: `react-jsx`
// and `react-jsxdev` with `jsxImportSource`, classic `react` with its factories, `precompile` as react-jsx.

import type { BuildOptions } from "esbuild";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { parse as parseJsonc } from "jsonc-parser";
import { invalidPackage } from "../../errors.ts";

export type JsxOptions = Pick<BuildOptions, "jsx" | "jsxDev" | "jsxImportSource" | "jsxFactory" | "jsxFragment">;

const text = (value: unknown, field: string, file: string): string | undefined => {
  if (value === undefined) return undefined;
  if (typeof value !== "string" || value === "") throw invalidPackage(`compilerOptions.${field} in ${file} is not a string`);
  return value;
};

/** The esbuild JSX options for the package in `root` (its deno.json or deno.jsonc). */
export async function jsxOptions(root: string): Promise<JsxOptions> {
  for (const file of ["deno.json", "deno.jsonc"]) {
    const source = await readFile(path.join(root, file), "utf8").catch(() => undefined);
    if (source === undefined) continue;
    const config = parseJsonc(source) as { compilerOptions?: Record<string, unknown> } | undefined;
    const options = config?.compilerOptions ?? {};
    const jsx = text(options.jsx, "jsx", file) ?? "react";
    const importSource = text(options.jsxImportSource, "jsxImportSource", file);
    switch (jsx) {
      case "react": {
        const factory = text(options.jsxFactory, "jsxFactory", file);
        const fragment = text(options.jsxFragmentFactory, "jsxFragmentFactory", file);
        return { jsx: "transform", ...(factory && { jsxFactory: factory }), ...(fragment && { jsxFragment: fragment }) };
      }
      case "react-jsx":
      case "react-jsxdev":
      case "precompile":
        return { jsx: "automatic", jsxDev: jsx === "react-jsxdev", jsxImportSource: importSource ?? "react" };
      default:
        throw invalidPackage(`compilerOptions.jsx in ${file} is "${jsx}"; isopod supports react, react-jsx, react-jsxdev and precompile`);
    }
  }
  return {};
}
