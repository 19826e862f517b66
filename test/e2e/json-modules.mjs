// Node's ESM loader refuses `import pkg from '../../package.json'` without `with { type: 'json' }`;
// Vite and vitest accept it, Playwright's loader does not. This hook supplies the attribute for .json
// files so the specs can load the app core as it is written.
// TODO(lead): drop this hook (and its register() in playwright.config.ts) once src/library/archive.ts
// imports package.json `with { type: 'json' }`.
export async function load(url, context, nextLoad) {
  if (url.endsWith('.json') && context.importAttributes?.type !== 'json') {
    return nextLoad(url, { ...context, importAttributes: { ...context.importAttributes, type: 'json' } });
  }
  return nextLoad(url, context);
}
