// Lint, and the layer rule (README, Architecture): common ← node ← main, and the renderer sees only common.
import { builtinModules } from 'node:module';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';
import reactHooks from 'eslint-plugin-react-hooks';

/** Names that hold Berth's own sentences for people: matching them would make behaviour follow the wording. */
const WORDED = '/^(problem|message|reason|detail|summary|warning)$/';
const WORDED_MESSAGE = "act on a kind or a topic, not on a message's words (engine trouble kinds, reason topics)";

const nodeBuiltins = [...builtinModules, ...builtinModules.map((m) => `node:${m}`)];

function restrict(message, { node = false, electron = false, paths = [] }) {
  return {
    'no-restricted-imports': [
      'error',
      {
        paths: [
          ...(node ? nodeBuiltins.map((name) => ({ name, message })) : []),
          ...(node ? ['dockerode', 'systeminformation'].map((name) => ({ name, message })) : []),
          ...(electron ? ['electron', 'electron-store', 'electron-updater'].map((name) => ({ name, message })) : []),
        ],
        patterns: paths.map((regex) => ({ regex, message })),
      },
    ],
  };
}

export default tseslint.config(
  { ignores: ['dist/**', 'dist-bench/**', 'node_modules/**', 'release/**', 'out/**', 'test-results/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' },
      ],
      'no-template-curly-in-string': 'off',
    },
  },
  {
    // No behaviour depends on the wording of Berth's own messages: states travel as kinds and topics (README,
    // Architecture). Parsing what another program printed (Docker, OpenSSH, vLLM) reads other names.
    files: ['electron/**/*.ts', 'renderer/**/*.{ts,tsx}'],
    ignores: ['**/*.test.ts', '**/*.test.tsx'],
    rules: {
      // Prettier wraps code at 120; this catches what it cannot break (long strings, comments).
      'max-len': ['error', { code: 120, ignoreUrls: true }],
      'no-restricted-syntax': [
        'error',
        ...['test', 'exec'].flatMap((method) =>
          [
            `CallExpression[callee.property.name='${method}'] > Identifier.arguments[name=${WORDED}]`,
            `CallExpression[callee.property.name='${method}'] > MemberExpression.arguments[property.name=${WORDED}]`,
            `CallExpression[callee.property.name='${method}'] > LogicalExpression.arguments > MemberExpression.left[property.name=${WORDED}]`,
          ].map((selector) => ({ selector, message: WORDED_MESSAGE })),
        ),
        ...['includes', 'startsWith', 'endsWith', 'match'].flatMap((method) =>
          [
            `CallExpression[callee.property.name='${method}'][callee.object.name=${WORDED}]`,
            `CallExpression[callee.property.name='${method}'][callee.object.property.name=${WORDED}]`,
          ].map((selector) => ({ selector, message: WORDED_MESSAGE })),
        ),
      ],
    },
  },
  {
    // A function a reader can hold: 80 lines of code at most (blank lines and comments aside) in electron/, tests aside.
    files: ['electron/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: { 'max-lines-per-function': ['error', { max: 80, skipBlankLines: true, skipComments: true, IIFEs: true }] },
  },
  {
    // The test oracles do their own arithmetic from upstream's figures: the contracts' types are all they may take
    // from electron/, so a formula wrong in the planner cannot be wrong in its oracle the same way.
    files: ['test/support/plan-invariants.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '(^|/)electron/',
              allowTypeImports: true,
              message: "a test oracle imports nothing from electron/ but the contracts' types",
            },
          ],
        },
      ],
    },
  },
  {
    // Test doubles run as plain CommonJS scripts inside the test images.
    files: ['test/doubles/**/*.js'],
    languageOptions: { sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // Sandboxed preloads must be CommonJS.
    files: ['**/*.cts'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['electron/common/**/*.ts'],
    rules: restrict('electron/common is plain TypeScript: no Node, Docker or Electron (README, Architecture)', {
      node: true,
      electron: true,
      paths: ['(^|/)(node|main)/'],
    }),
  },
  {
    files: ['electron/node/**/*.ts'],
    rules: restrict('electron/node runs without the app: it never imports Electron (README, Architecture)', {
      electron: true,
      paths: ['^(\\.\\./)+main/'],
    }),
  },
  {
    // The planner is the bottom of common: the pictures draw it, the exports and the API use it, never the reverse.
    files: ['electron/common/planner/**/*.ts'],
    rules: restrict('the planner imports no pictures, exports or API: they use it (README, Architecture)', {
      node: true,
      electron: true,
      paths: ['(^|/)(node|main)/', '^\\.\\./(pictures|export|api)/'],
    }),
  },
  {
    // The engine is used by the session, the API, serve, the CLI and doctor; it uses none of them.
    files: ['electron/node/engine/**/*.ts'],
    rules: restrict('the engine imports no session, API, serve, CLI or doctor: they use it (README, Architecture)', {
      electron: true,
      paths: ['^(\\.\\./)+main/', '^\\.\\./(session|api|serve|cli|doctor)/'],
    }),
  },
  {
    files: ['renderer/**/*.{ts,tsx}'],
    plugins: { 'react-hooks': reactHooks },
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      ...reactHooks.configs.recommended.rules,
      'react-hooks/exhaustive-deps': 'error',
      ...restrict('the renderer is sandboxed: only electron/common and the API reach it (README, Architecture)', {
        node: true,
        electron: true,
        paths: ['electron/(node|main)/'],
      }),
    },
  },
);
