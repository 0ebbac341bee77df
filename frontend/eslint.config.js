// ESLint for the web UI: `npm run lint` (no warnings allowed). Formatting is Prettier's job
// (`npm run format:check`), so no stylistic rules here.
import js from '@eslint/js';
import reactHooks from 'eslint-plugin-react-hooks';
import { defineConfig, globalIgnores } from 'eslint/config';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default defineConfig([
  // schema.d.ts is generated (`npm run gen:api`) and compared byte for byte (`npm run check:api`).
  globalIgnores(['dist/', 'test-results/', 'src/api/schema.d.ts']),
  js.configs.recommended,
  tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // `onClick={() => setOpen(false)}` is how React code reads; a block body adds nothing.
      '@typescript-eslint/no-confusing-void-expression': ['error', { ignoreArrowShorthand: true }],
      // Numbers in messages and URLs are what templates are for; the rest stays refused.
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
      // Their reports here are checks at trust boundaries the types cannot see: what an older
      // server sends, DOM fields the lib types as non-null, `afterAll` after a failed `beforeAll`.
      '@typescript-eslint/no-unnecessary-condition': 'off',
      '@typescript-eslint/no-unnecessary-boolean-literal-compare': 'off',
      // A closure defined before a `let`'s one assignment may read it (`clearTimeout(handshake)`).
      'prefer-const': ['error', { ignoreReadBeforeAssign: true }],
      // A leading underscore marks a binding kept on purpose (a parameter a signature needs), as
      // does a property destructured only to leave it out of a `...rest`.
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_', ignoreRestSiblings: true },
      ],
    },
  },
  // The two rules of hooks. The plugin's `recommended` preset adds the React Compiler's
  // diagnostics too; this app does not use the compiler, so they are not turned on.
  {
    files: ['src/**/*.{ts,tsx}'],
    plugins: { 'react-hooks': reactHooks },
    languageOptions: { globals: globals.browser },
    rules: {
      'react-hooks/rules-of-hooks': 'error',
      'react-hooks/exhaustive-deps': 'error',
    },
  },
  {
    files: ['e2e/**/*.ts', '*.config.ts', 'scripts/**/*.mjs', 'eslint.config.js'],
    languageOptions: { globals: globals.node },
  },
  // Plain JavaScript is in no tsconfig project: no type information for it.
  {
    files: ['**/*.{js,mjs}'],
    extends: [tseslint.configs.disableTypeChecked],
  },
  {
    files: ['public/**/*.js'],
    languageOptions: { sourceType: 'script', globals: globals.browser },
  },
]);
