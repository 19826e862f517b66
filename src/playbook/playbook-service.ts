/**
 * The active playbook: the shipped default until the user saves their own from the editor. Saving
 * validates first; an invalid playbook is refused with the JSON path of every problem.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parsePlaybookText, type Playbook } from '../shared/playbook';
import { playbookTargets, type PlaybookTargets } from '../shared/playbook-targets';
import type { PlaybookCheck, PlaybookPreset, PlaybookState } from '../shared/rpc';
import { defaultPlaybookPath, loadPlaybookFile } from './playbook-file';
import type { Library } from '../library/library';

const ACTIVE_ID = 'active';
/** The shipped presets (the default first), files in the playbooks folder. */
const PRESET_IDS = ['default', 'support', 'sales', 'collections'] as const;

export class PlaybookService {
  constructor(private readonly library: Library) {}

  /** The playbook the next call will use. */
  async active(): Promise<Playbook> {
    const stored = await this.library.playbooks.get(ACTIVE_ID);
    if (stored) {
      const result = parsePlaybookText(JSON.stringify(stored.playbook));
      if (result.ok) return result.playbook;
    }
    return loadPlaybookFile();
  }

  /** What the active playbook aims for (the overlay's and charts' bands, the score's rubric). */
  async targets(): Promise<PlaybookTargets> {
    return playbookTargets(await this.active());
  }

  async state(): Promise<PlaybookState> {
    const stored = await this.library.playbooks.get(ACTIVE_ID);
    const targets = await this.targets();
    if (stored) return { text: JSON.stringify(stored.playbook, null, 2), origin: 'custom', targets };
    return { text: readFileSync(defaultPlaybookPath(), 'utf8'), origin: 'default', targets };
  }

  validate(text: string): PlaybookCheck {
    const result = parsePlaybookText(text);
    return result.ok ? { ok: true, problems: [] } : { ok: false, problems: result.problems };
  }

  async save(text: string): Promise<PlaybookCheck> {
    const result = parsePlaybookText(text);
    if (!result.ok) return { ok: false, problems: result.problems };
    // Stored as the user wrote it (defaults stay implicit), validated again on every load.
    await this.library.playbooks.save(ACTIVE_ID, result.playbook.name, JSON.parse(text) as unknown);
    return { ok: true, problems: [] };
  }

  presets(): PlaybookPreset[] {
    return PRESET_IDS.map((id) => {
      const text = readFileSync(join(dirname(defaultPlaybookPath()), `${id}.json`), 'utf8');
      const result = parsePlaybookText(text);
      if (!result.ok) throw new Error(`shipped preset ${id} is invalid: ${result.problems[0]!.path} ${result.problems[0]!.message}`);
      return { id, name: result.playbook.name, description: result.playbook.description ?? '', text };
    });
  }

  async reset(): Promise<PlaybookState> {
    await this.library.playbooks.delete(ACTIVE_ID);
    return this.state();
  }
}
