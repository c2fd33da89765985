// ESLint over the page and <cams-qrdl> (www/) and the JS tests, run by `make test` (scripts/test.sh).
import js from '@eslint/js';
import globals from 'globals';

export default [
  { ignores: ['www/pkg/**', 'www/vendor/**', 'pkg/**', 'target/**', 'node_modules/**', '.venv/**'] },
  js.configs.recommended,
  {
    files: ['www/**/*.js', 'tests/package/app/**/*.js'],
    languageOptions: { ecmaVersion: 2022, sourceType: 'module', globals: globals.browser },
    rules: {
      eqeqeq: ['error', 'always', { null: 'ignore' }],
      'no-var': 'error',
      'prefer-const': 'error',
      'no-unused-vars': ['error', { args: 'after-used', argsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['tests/**/*.mjs', 'bench/**/*.mjs', 'scripts/**/*.mjs'],
    languageOptions: { ecmaVersion: 2022, sourceType: 'module', globals: { ...globals.node, ...globals.browser } },
    rules: { 'no-unused-vars': ['error', { args: 'after-used', argsIgnorePattern: '^_' }] },
  },
];
