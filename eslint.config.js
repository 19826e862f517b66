import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// Process boundaries are enforced here, not remembered: pure DSP and shared contracts must run in the
// worker, the renderer and the browser host alike.
const nodeBuiltins = ['node:*', 'fs', 'path', 'os', 'child_process', 'worker_threads', 'crypto', 'stream', 'url', 'util', 'events', 'net', 'http'];

export default tseslint.config(
  { ignores: ['out/**', 'dist/**', 'node_modules/**', 'tools/**', '.tmp/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { ecmaVersion: 2023, sourceType: 'module' },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    files: ['src/dsp/**/*.ts', 'src/shared/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'electron', message: 'src/dsp and src/shared are pure: no Electron.' }],
          patterns: [
            { group: nodeBuiltins, message: 'src/dsp and src/shared are pure: no Node built-ins.' },
            { group: ['**/core/**', '**/main/**', '**/renderer/**', '**/preload/**'], message: 'pure code imports only pure code.' },
          ],
        },
      ],
    },
  },
  {
    files: ['src/core/**/*.ts', 'src/renderer/**/*.{ts,tsx}', 'src/preload/**/*.ts'],
    ignores: ['src/preload/**'],
    rules: {
      'no-restricted-imports': ['error', { paths: [{ name: 'electron', message: 'Only src/main and src/preload may import electron.' }] }],
    },
  },
  {
    files: ['bin/**/*.mjs', 'eslint.config.js'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
  },
);
