// ESLint 9 flat config. typescript-eslint's recommended rules, without type information (fast).
// Formatting is prettier's job: nothing here may fight it.
import { defineConfig, globalIgnores } from "eslint/config";
import tseslint from "typescript-eslint";

// Globals of Node 20 for scripts (tools, examples, bench). Written out here rather than taken from
// the `globals` package, which is not a direct dependency. ES builtins come from ecmaVersion.
const nodeGlobals = Object.fromEntries(
  [
    "AbortController",
    "AbortSignal",
    "Blob",
    "BroadcastChannel",
    "Buffer",
    "DOMException",
    "Event",
    "EventTarget",
    "FormData",
    "Headers",
    "MessageChannel",
    "MessageEvent",
    "MessagePort",
    "Request",
    "Response",
    "TextDecoder",
    "TextEncoder",
    "URL",
    "URLSearchParams",
    "WebAssembly",
    "atob",
    "btoa",
    "clearImmediate",
    "clearInterval",
    "clearTimeout",
    "console",
    "crypto",
    "fetch",
    "global",
    "performance",
    "process",
    "queueMicrotask",
    "setImmediate",
    "setInterval",
    "setTimeout",
    "structuredClone",
  ].map((name) => [name, "readonly"]),
);

export default defineConfig([
  globalIgnores(["dist/", "node_modules/", "bench/results/", "coverage/", ".nabla-cache/", "tmp/"]),

  {
    name: "nabla/typescript",
    files: [
      "src/**/*.ts",
      "test/**/*.ts",
      "bench/**/*.ts",
      "examples/**/*.{ts,mjs}",
      "tools/**/*.mjs",
      "*.{js,mjs}", // eslint.config.js and other root config files
    ],
    extends: [tseslint.configs.recommended],
    rules: {
      "@typescript-eslint/no-unused-vars": [
        "error",
        {
          args: "after-used",
          argsIgnorePattern: "^_",
          varsIgnorePattern: "^_",
          caughtErrorsIgnorePattern: "^_",
          destructuredArrayIgnorePattern: "^_",
          ignoreRestSiblings: true,
        },
      ],
    },
  },

  {
    name: "nabla/node-scripts",
    files: ["tools/**/*.mjs", "examples/**/*.{ts,mjs}", "bench/**/*.ts", "*.{js,mjs}"],
    languageOptions: { globals: nodeGlobals },
  },

  {
    // typescript-eslint turns these on for .ts files only; plain JS needs them as well.
    name: "nabla/plain-js",
    files: ["**/*.{js,mjs}"],
    rules: {
      "no-undef": "error",
      "no-var": "error",
      "prefer-const": "error",
    },
  },

  {
    name: "nabla/tests",
    files: ["test/**/*.ts"],
    rules: {
      "@typescript-eslint/no-explicit-any": "off",
    },
  },
]);
