// ESLint for the web console's modules (atn_hub/static/console/js/): ES modules run by the browser as they are
// (no build step). `make lint-js` installs the pinned ESLint into node_modules/ beside this file and runs it.
import js from "@eslint/js";
import { defineConfig } from "eslint/config";
import globals from "globals";

// The console's Content-Security-Policy enforces Trusted Types: an HTML string reaching one of these sinks throws
// in the browser. Pages are built from elements and text nodes (dom.js's h()).
const NO_HTML = "Build elements with h(): the CSP's Trusted Types forbid HTML strings.";
const HTML_SINKS = [
  ...["innerHTML", "outerHTML", "insertAdjacentHTML"].map((property) => ({ property, message: NO_HTML })),
  ...["write", "writeln"].map((property) => ({ object: "document", property, message: NO_HTML })),
];

export default defineConfig([
  {
    files: ["atn_hub/static/console/js/**/*.js"],
    extends: [js.configs.recommended],
    languageOptions: { sourceType: "module", globals: globals.browser },
    linterOptions: { reportUnusedDisableDirectives: "error" },
    rules: {
      "array-callback-return": "error",
      eqeqeq: "error",
      "no-duplicate-imports": "error",
      "no-eval": "error",
      "no-implied-eval": "error",
      "no-new-func": "error",
      "no-promise-executor-return": "error",
      "no-restricted-properties": ["error", ...HTML_SINKS],
      "no-self-compare": "error",
      "no-sequences": "error",
      "no-template-curly-in-string": "error",
      "no-throw-literal": "error",
      "no-unmodified-loop-condition": "error",
      "no-unreachable-loop": "error",
      "no-unused-expressions": "error",
      "no-unused-vars": ["error", { caughtErrors: "all" }],
      "no-use-before-define": ["error", { functions: false }],
      "no-var": "error",
      "prefer-const": "error",
      "prefer-promise-reject-errors": "error",
    },
  },
]);
