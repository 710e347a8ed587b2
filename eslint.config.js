// Lint configuration: typescript-eslint's strict and stylistic sets, type-checked.
// Every rule turned off or relaxed below carries one line saying why it does not fit bosun.
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';

/** The Node globals the plain JavaScript files use (the `globals` package would be one more dependency for this). */
const NODE_GLOBALS = [
  'process console Buffer URL performance fetch AbortController structuredClone TextEncoder TextDecoder',
  'setTimeout clearTimeout setImmediate setInterval clearInterval',
].join(' ');

export default defineConfig(
  { ignores: ['dist/', 'node_modules/', 'bench/results/', 'coverage/'] },
  js.configs.recommended,
  tseslint.configs.strictTypeChecked,
  tseslint.configs.stylisticTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // tsconfig has noUncheckedIndexedAccess: `xs[i]!` after a bounds check is the idiom; tsc still checks the rest.
      '@typescript-eslint/no-non-null-assertion': 'off',
      // Records and argument maps are read as `args['src']`, so a key from data looks different from a declared field.
      '@typescript-eslint/dot-notation': ['error', { allowIndexSignaturePropertyAccess: true }],
      // Counts, ports, exit codes and durations go into messages all the time and print as expected.
      '@typescript-eslint/restrict-template-expressions': [
        'error',
        {
          allowNumber: true,
          allowAny: false,
          allowBoolean: false,
          allowNullish: false,
          allowRegExp: false,
          allowNever: false,
        },
      ],
      // `T[]` for simple types, `Array<...>` for unions, tuples and object types: both read better.
      '@typescript-eslint/array-type': ['error', { default: 'array-simple' }],
      // `(e) => sink(e)` and `return done(code)` in void functions are the idiom; the void value is never used.
      '@typescript-eslint/no-confusing-void-expression': [
        'error',
        { ignoreArrowShorthand: true, ignoreVoidReturningFunctions: true },
      ],
      // `() => {}` is how a caller says it ignores a callback or a stream.
      '@typescript-eslint/no-empty-function': ['error', { allow: ['arrowFunctions'] }],
      // `const { use: _use, ...rest } = args` is how an object loses keys.
      '@typescript-eslint/no-unused-vars': ['error', { ignoreRestSiblings: true }],
      // For text, `a || b` means "empty is unset" (environment variables, optional fields); `??` is still asked for the rest.
      '@typescript-eslint/prefer-nullish-coalescing': ['error', { ignorePrimitives: { string: true } }],
    },
  },
  {
    files: ['test/**'],
    rules: {
      // Tests read events through loose all-optional types; a missing field shown as "undefined" in a key or message is what a failure should print.
      '@typescript-eslint/restrict-template-expressions': [
        'error',
        {
          allowNumber: true,
          allowAny: false,
          allowBoolean: false,
          allowNullish: true,
          allowRegExp: false,
          allowNever: false,
        },
      ],
    },
  },
  {
    // Plain JavaScript (bin/, scripts/*.mjs, bench/) is outside tsconfig.json: syntax rules only.
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: {
      globals: Object.fromEntries(NODE_GLOBALS.split(' ').map((name) => [name, 'readonly'])),
    },
  },
);
