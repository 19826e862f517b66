/**
 * The runtime boundaries in eslint.config.js, proven on code that is linted but never written to disk:
 * each violation fails with the rule and the message a developer will see, and the legal imports next
 * to it pass, so a rule that silently matched nothing (a glob typo, a moved folder) fails here.
 */
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const eslint = new ESLint({ cwd: repoRoot });

interface Finding {
  readonly ruleId: string | null;
  readonly message: string;
}

async function lint(filePath: string, code: string): Promise<Finding[]> {
  const [result] = await eslint.lintText(code, { filePath: resolve(repoRoot, filePath) });
  return result!.messages.map((m) => ({ ruleId: m.ruleId, message: m.message }));
}

describe('runtime boundaries (eslint.config.js)', () => {
  const violations: [what: string, file: string, code: string, ruleId: string, message: RegExp][] = [
    [
      'pure code importing node:fs',
      'src/dsp/x.ts',
      "import { readFileSync } from 'node:fs';\nexport const x = readFileSync;\n",
      'no-restricted-imports',
      /'node:fs' import is restricted.*src\/dsp and src\/shared are pure: no Node built-ins\./,
    ],
    [
      'pure code importing a bare Node built-in',
      'src/shared/x.ts',
      "import { join } from 'path';\nexport const x = join;\n",
      'no-restricted-imports',
      /'path' import is restricted.*pure: no Node built-ins\./,
    ],
    [
      'renderer code importing the store',
      'src/renderer/src/x.ts',
      "import { openLibrary } from '../../library/library';\nexport const x = openLibrary;\n",
      'no-restricted-imports',
      /'\.\.\/\.\.\/library\/library' import is restricted.*The renderer runs in a window: imports across a runtime boundary\./,
    ],
    [
      'the preload importing Node-side code',
      'src/preload/x.ts',
      "import { createApp } from '../app/app';\nexport const x = createApp;\n",
      'no-restricted-imports',
      /'\.\.\/app\/app' import is restricted.*The preload sees only the contracts: imports across a runtime boundary\./,
    ],
    [
      'the preload importing a Node built-in',
      'src/preload/x.ts',
      "import { readFileSync } from 'node:fs';\nexport const x = readFileSync;\n",
      'no-restricted-imports',
      /The preload sees only the contracts: no Node built-ins\./,
    ],
    [
      'Node-side code touching window',
      'src/library/x.ts',
      'export const w = window.innerWidth;\n',
      'no-restricted-globals',
      /Unexpected use of 'window'\. window is a DOM global: this file does not run in a window\./,
    ],
    [
      'pure code touching document',
      'src/dsp/x.ts',
      "export const d = document.title;\n",
      'no-restricted-globals',
      /document is a DOM global/,
    ],
    [
      'Node-side code importing electron',
      'src/app/x.ts',
      "import { app } from 'electron';\nexport const x = app;\n",
      'no-restricted-imports',
      /'electron' import is restricted from being used\. Only src\/main and src\/preload may import electron\./,
    ],
    [
      'renderer code importing electron',
      'src/renderer/src/x.ts',
      "import { ipcRenderer } from 'electron';\nexport const x = ipcRenderer;\n",
      'no-restricted-imports',
      /Only src\/main and src\/preload may import electron\./,
    ],
    [
      'pure code importing electron',
      'src/shared/x.ts',
      "import { app } from 'electron';\nexport const x = app;\n",
      'no-restricted-imports',
      /Only src\/main and src\/preload may import electron\./,
    ],
    [
      'Electron main importing the renderer',
      'src/main/x.ts',
      "import { App } from '../renderer/src/App';\nexport const x = App;\n",
      'no-restricted-imports',
      /Electron main: imports across a runtime boundary\./,
    ],
  ];

  for (const [what, file, code, ruleId, message] of violations) {
    it(`fails ${what} (${file})`, async () => {
      const found = await lint(file, code);
      expect(found).toHaveLength(1);
      expect(found[0]!.ruleId).toBe(ruleId);
      expect(found[0]!.message).toMatch(message);
    });
  }

  const legal: [what: string, file: string, code: string][] = [
    ['pure code importing pure code', 'src/dsp/x.ts', "import { makeYin } from './yin';\nimport type { SpeechSegment } from '../shared/types';\nexport const x = makeYin;\nexport type S = SpeechSegment;\n"],
    ['renderer code importing the contracts and DSP', 'src/renderer/src/x.ts', "import type { SpeechSegment } from '../../shared/types';\nimport { makeYin } from '../../dsp/yin';\nexport const w = window.innerWidth + makeYin.length;\nexport type S = SpeechSegment;\n"],
    ['the preload importing electron and the contracts', 'src/preload/x.ts', "import { contextBridge } from 'electron';\nimport { RPC_METHODS } from '../shared/rpc';\nexport const x = [contextBridge, RPC_METHODS];\n"],
    ['Node-side code importing Node built-ins and the store', 'src/app/x.ts', "import { readFileSync } from 'node:fs';\nimport { openLibrary } from '../library/library';\nexport const x = [readFileSync, openLibrary];\n"],
    ['Electron main importing electron, Node and the app core', 'src/main/x.ts', "import { app } from 'electron';\nimport { join } from 'node:path';\nimport { createApp } from '../app/app';\nexport const x = [app, join, createApp];\n"],
  ];

  for (const [what, file, code] of legal) {
    it(`passes ${what} (${file})`, async () => {
      expect(await lint(file, code)).toEqual([]);
    });
  }
});
