import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parsePlaybookText, type Playbook } from '../shared/playbook';
import { UserError } from '../shared/errors';
import { resourcesDir } from '../app/resources';

export function defaultPlaybookPath(): string {
  return join(resourcesDir(), 'playbooks', 'default.json');
}

/** Loads and validates a playbook file; every problem is listed with its JSON path in one line. */
export function loadPlaybookFile(path = defaultPlaybookPath()): Playbook {
  let text: string;
  try {
    // Checked before reading: reading a FIFO waits for a writer forever.
    const st = statSync(path);
    if (!st.isFile()) throw new UserError(`playbook is ${st.isDirectory() ? 'a directory' : 'not a regular file'}: ${path}`);
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if (err instanceof UserError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    throw new UserError(code === 'ENOENT' ? `playbook not found: ${path}` : `cannot read playbook ${path}: ${code ?? 'error'}`);
  }
  // Editors such as Notepad save UTF-8 with a byte order mark; JSON.parse would refuse it.
  const result = parsePlaybookText(text.replace(/^\uFEFF/, ''));
  if (!result.ok) {
    const list = result.problems.map((p) => `${p.path || '(root)'}: ${p.message}`).join('; ');
    throw new UserError(`invalid playbook ${path}: ${list}`, 'invalid_playbook');
  }
  return result.playbook;
}
