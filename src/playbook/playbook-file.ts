import { readFileSync } from 'node:fs';
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
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new UserError(code === 'ENOENT' ? `playbook not found: ${path}` : `cannot read playbook ${path}: ${code ?? 'error'}`);
  }
  const result = parsePlaybookText(text);
  if (!result.ok) {
    const list = result.problems.map((p) => `${p.path || '(root)'}: ${p.message}`).join('; ');
    throw new UserError(`invalid playbook ${path}: ${list}`, 'invalid_playbook');
  }
  return result.playbook;
}
