// ESLint 9 flat config: typescript-eslint's strict and stylistic type-checked sets over the product
// (infra, components, stacks, policy), the scripts and the tests; Prettier owns the layout, so
// eslint-config-prettier turns off every rule that would fight it. `npm run lint` runs it.
// Each rule turned off or relaxed below says why on its own line.
import eslint from "@eslint/js";
import { defineConfig } from "eslint/config";
import prettier from "eslint-config-prettier/flat";
import tseslint from "typescript-eslint";

/** The unsafe-any rules, off where code reads untyped data by nature (tests, the plan's engine stand-ins). */
const UNTYPED_DATA_RULES = {
    "@typescript-eslint/no-explicit-any": "off",
    "@typescript-eslint/no-unsafe-member-access": "off",
    "@typescript-eslint/no-unsafe-assignment": "off",
    "@typescript-eslint/no-unsafe-return": "off",
    "@typescript-eslint/no-unsafe-call": "off",
    "@typescript-eslint/no-unsafe-argument": "off",
};

export default defineConfig(
    {
        ignores: [
            "node_modules/**",
            "policy/node_modules/**",
            "bin/**",
            "components/bin/**",
            "remote/bin/**",
            "remote/node_modules/**",
            // Example programs are type-checked against the packed package by the integration suite
            // (test/integration/package.test.ts); a fresh clone has no node_modules of theirs to lint them with.
            "examples/**",
            "out/**",
            "test/fixtures/**",
        ],
    },
    eslint.configs.recommended,
    tseslint.configs.strictTypeChecked,
    tseslint.configs.stylisticTypeChecked,
    {
        languageOptions: {
            parserOptions: {
                projectService: true,
                tsconfigRootDir: import.meta.dirname,
            },
        },
        linterOptions: { reportUnusedDisableDirectives: "error" },
        rules: {
            // Numbers and booleans in messages and names are intended (`${port}`, `${count} nodes`); objects,
            // undefined and null stay errors, because they print as "[object Object]" or "undefined".
            "@typescript-eslint/restrict-template-expressions": ["error", { allowNumber: true, allowBoolean: true }],
            // Destructuring a key away to keep the rest (`const { kubeconfig: _k, ...rest } = outputs`) is how
            // the code drops a field; names starting with "_" are the ones left unused on purpose.
            "@typescript-eslint/no-unused-vars": [
                "error",
                { ignoreRestSiblings: true, argsIgnorePattern: "^_", varsIgnorePattern: "^_" },
            ],
            // `(x) => list.push(x)`, `() => resolve()`: an arrow shorthand that calls a void function is plain
            // enough here; void values used anywhere else stay errors.
            "@typescript-eslint/no-confusing-void-expression": ["error", { ignoreArrowShorthand: true }],
            // Without `noUncheckedIndexedAccess` (210 tsc errors to turn on) the rule takes regex groups, split
            // parts and record lookups for always defined, and asks to remove checks that run-time input needs.
            "@typescript-eslint/no-unnecessary-condition": "off",
        },
    },
    {
        // Tests read recorded resource inputs and parsed YAML/JSON, untyped by nature: a wrong shape fails the
        // assertion that reads it, so the unsafe-any rules would only add casts. `!` on a lookup the test has
        // just asserted is the shortest honest form there.
        files: ["test/**/*.ts"],
        rules: {
            ...UNTYPED_DATA_RULES,
            "@typescript-eslint/no-non-null-assertion": "off",
        },
    },
    {
        // The offline plan stands in for the engine: its mocks, fakes and recorder take resource inputs and
        // invoke arguments as the SDK hands them to a mock monitor (`any`, by the SDK's own signatures), and
        // read parsed YAML/JSON; the planning tests check every shape it records.
        files: ["plan/**/*.ts"],
        rules: UNTYPED_DATA_RULES,
    },
    {
        // The policy pack's callbacks receive resource properties as `any` from @pulumi/policy
        // (PolicyResource.props): the pack narrows them field by field, its tests cover each shape.
        files: ["policy/**/*.ts"],
        rules: {
            "@typescript-eslint/no-explicit-any": "off",
            "@typescript-eslint/no-unsafe-member-access": "off",
            "@typescript-eslint/no-unsafe-assignment": "off",
            "@typescript-eslint/no-unsafe-return": "off",
            "@typescript-eslint/no-unsafe-argument": "off",
        },
    },
    {
        // Plain JavaScript (this config, the integration suite's Pulumi programs): no type information.
        files: ["**/*.js", "**/*.mjs"],
        extends: [tseslint.configs.disableTypeChecked],
    },
    {
        files: ["**/*.js"],
        languageOptions: {
            // The Pulumi programs of the integration suite are CommonJS run by the Node.js language host.
            sourceType: "commonjs",
            globals: {
                require: "readonly",
                module: "writable",
                process: "readonly",
                console: "readonly",
                __dirname: "readonly",
            },
        },
        rules: {
            // CommonJS: `require` is how these programs load @pulumi/pulumi.
            "@typescript-eslint/no-require-imports": "off",
        },
    },
    prettier,
);
