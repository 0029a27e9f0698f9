// Lint rules that catch what the type checker does not: above all a promise
// nobody awaits, which is how a lifecycle hook hangs unnoticed.

import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["node_modules/**", "packages/**", "tests/fixtures/**", ".isopod/**", "cli/isopod.js", "ui/**"] },
  {
    files: ["**/*.ts"],
    extends: [tseslint.configs.base],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      "@typescript-eslint/no-floating-promises": [
        "error",
        // node:test's describe/test return promises the runner itself awaits.
        { allowForKnownSafeCalls: [{ from: "package", package: "node:test", name: ["describe", "test", "it", "suite"] }] },
      ],
      "@typescript-eslint/no-misused-promises": ["error", { checksVoidReturn: false }],
      "@typescript-eslint/await-thenable": "error",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_" }],
      "@typescript-eslint/consistent-type-imports": "error",
      "no-debugger": "error",
      eqeqeq: ["error", "always"],
    },
  },
);
