import { join } from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const ROOT = join(__dirname, '..', '..', '..');

async function lint(file: string, code: string): Promise<string[]> {
  const [result] = await new ESLint({ cwd: ROOT }).lintText(code, { filePath: join(ROOT, file) });
  return result!.messages.map((m) => m.message);
}

describe('the store boundary is enforced by lint', () => {
  it('code outside src/library cannot import the database layer', async () => {
    const code = `import { sql } from 'kysely';\nexport const x = sql;\n`;
    expect((await lint('src/app/probe.ts', code)).join('\n')).toMatch(/Only src\/library touches the database/);
    expect((await lint('src/cli/commands/probe.ts', `import type { LibraryDb } from '../../library/repos/handle';\nexport type X = LibraryDb;\n`)).join('\n')).toMatch(/Only src\/library touches the database/);
    expect((await lint('src/app/probe.ts', `import type { Library } from '../library/library';\nexport const n = (l: Library): unknown => l.sqlite.pragma('user_version');\n`)).join('\n')).toMatch(/Only src\/library touches the database/);
    expect(await lint('src/library/probe.ts', code)).toEqual([]);
  });
});
