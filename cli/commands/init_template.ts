// The files `isopod init` writes: the smallest package that runs both under
// `deno serve -P` and on an isopod host, typed with isopod.d.ts.

export function denoJson(name: string): string {
  const manifest = {
    name,
    version: "0.1.0",
    exports: "./mod.ts",
    permissions: { default: {} },
    isopod: { limits: { memoryMb: 64, timeoutMs: 5000 } },
  };
  return `${JSON.stringify(manifest, null, 2)}\n`;
}

export function modTs(name: string): string {
  return `// ${name}: an isopod package. It runs on an isopod host (isopod add . --start)
// and unchanged under Deno (deno serve -P mod.ts), where only fetch is used.

import type * as isopod from "./isopod.d.ts";

let startedAt = 0;

export default {
  start(ctx) {
    startedAt = Date.now();
    console.log(\`\${ctx.package.name} \${ctx.package.version} started\`);
  },

  stop() {
    console.log(\`stopped after \${Date.now() - startedAt} ms\`);
  },

  fetch(request) {
    const url = new URL(request.url);
    return Response.json({ hello: url.searchParams.get("name") ?? "world", path: url.pathname });
  },
} satisfies isopod.Package;
`;
}

export function readme(name: string, dir: string): string {
  return `# ${name}

An isopod package: a Deno-compatible module that an
isopod host runs in its own V8 isolate.

- \`mod.ts\`: the package. Its default export holds the lifecycle hooks
  (\`install\`, \`start\`, \`stop\`, \`uninstall\`) and \`fetch\`, the HTTP handler.
- \`deno.json\`: name, version, entry, the permissions it asks for, and
  isopod's limits.
- \`isopod.d.ts\`: the types of \`ctx\` and of the default export (types only).

Try it under Deno, then on a host:

\`\`\`sh
deno check mod.ts
deno serve -P mod.ts                  # http://localhost:8000/?name=you
isopod add ${dir} --start             # on a host; then isopod logs ${name}
\`\`\`

See the guide, docs/packages.md in isopod, for permissions, config,
dependencies and the registry.
`;
}
