import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// Each file's runtime follows from its folder and is enforced here, not remembered:
//   pure     src/dsp, src/shared                       — runs in the engine worker, the renderer and Node alike
//   node     src/{app,call,capture,cli,engine,insights,library,playbook,telephony,transcription,sync}
//   dom      src/renderer                              — the React windows (also served by the browser host)
//   main     src/main                                  — Electron's main process, the only Electron importer besides…
//   preload  src/preload                               — …the sandboxed bridge, which sees only the contracts
// test/unit/lint-boundaries.test.ts proves that a violation fails `npm run lint`.
const NODE_BUILTINS = ['node:*', 'fs', 'fs/*', 'path', 'os', 'child_process', 'worker_threads', 'crypto', 'stream', 'url', 'util', 'events', 'net', 'http', 'https', 'zlib', 'buffer'];
const NODE_DIRS = ['app', 'call', 'capture', 'cli', 'engine', 'insights', 'library', 'playbook', 'telephony', 'transcription', 'sync'];
// Folders that own a database: the desktop library and the sync server (its own schema, SQLite or PostgreSQL).
const DB_OWNERS = ['library', 'sync'];
const nodeDirPatterns = NODE_DIRS.map((d) => `**/src/${d}/**`);
const relNode = NODE_DIRS.flatMap((d) => [`../${d}/*`, `../../${d}/*`, `../../../${d}/*`, `../${d}`, `../../${d}`]);
const ELECTRON = { name: 'electron', message: 'Only src/main and src/preload may import electron.' };
const DOM_GLOBALS = ['window', 'document', 'navigator', 'localStorage', 'HTMLElement'].map((name) => ({ name, message: `${name} is a DOM global: this file does not run in a window.` }));

// The store's boundary: only src/library holds the database (kysely, better-sqlite3, the repositories'
// handle); everything else goes through the repositories on the Library facade.
const STORE_INTERNALS = { group: ['kysely', 'better-sqlite3', '**/library/repos/handle', '**/library/migrations', '**/library/migrations/*'], message: 'Only src/library touches the database: use the repositories on Library.' };

function boundary(files, { builtins = false, electron = false, forbid = [], message, extra = [] }) {
  const patterns = [...extra];
  if (!builtins) patterns.push({ group: NODE_BUILTINS, message: `${message}: no Node built-ins.` });
  if (forbid.length) patterns.push({ group: forbid, message: `${message}: imports across a runtime boundary.` });
  return {
    files,
    rules: {
      'no-restricted-imports': ['error', { paths: electron ? [] : [ELECTRON], patterns }],
    },
  };
}

export default tseslint.config(
  { ignores: ['out/**', 'dist/**', 'node_modules/**', 'tools/**', '.tmp/**', 'coverage/**', 'test-results/**', 'playwright-report/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { ecmaVersion: 2023, sourceType: 'module' },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  boundary(['src/dsp/**/*.ts', 'src/shared/**/*.ts'], {
    message: 'src/dsp and src/shared are pure',
    forbid: [...nodeDirPatterns, ...relNode, '**/main/**', '**/renderer/**', '**/preload/**', '../main/*', '../renderer/*', '../preload/*'],
  }),
  { files: ['src/dsp/**/*.ts', 'src/shared/**/*.ts'], rules: { 'no-restricted-globals': ['error', ...DOM_GLOBALS] } },
  ...['library', 'other'].map((which) =>
    boundary(NODE_DIRS.filter((d) => DB_OWNERS.includes(d) === (which === 'library')).map((d) => `src/${d}/**/*.{ts,mts,mjs}`), {
      builtins: true,
      message: 'Node-side code',
      forbid: ['**/renderer/**', '**/main/**', '**/preload/**', '../renderer/*', '../main/*', '../preload/*', '../../renderer/*', '../../main/*'],
      extra: which === 'library' ? [] : [STORE_INTERNALS],
    }),
  ),
  { files: NODE_DIRS.map((d) => `src/${d}/**/*.ts`), rules: { 'no-restricted-globals': ['error', ...DOM_GLOBALS] } },
  {
    files: ['src/**/*.{ts,tsx}'],
    ignores: ['src/library/**'],
    rules: { 'no-restricted-syntax': ['error', { selector: "MemberExpression[property.name='sqlite']", message: 'Only src/library touches the database: use the repositories on Library (lib.sqlite is for tests and the bench).' }] },
  },
  boundary(['src/renderer/**/*.{ts,tsx}'], {
    message: 'The renderer runs in a window',
    forbid: [...nodeDirPatterns, ...relNode, '**/main/**', '**/preload/**'],
  }),
  boundary(['src/main/**/*.ts'], { builtins: true, electron: true, message: 'Electron main', forbid: ['**/renderer/**', '../renderer/*'] }),
  boundary(['src/preload/**/*.ts'], { electron: true, message: 'The preload sees only the contracts', forbid: [...nodeDirPatterns, ...relNode, '**/main/**', '**/renderer/**'] }),
  {
    files: ['bin/**/*.mjs', 'eslint.config.js', 'src/engine/ts-worker.mjs'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
  },
);
