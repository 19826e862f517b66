/**
 * The plain-language playbook editor in Debian's Chromium through the browser host: rule cards that
 * read as sentences, number fields that recover from text, add / duplicate / disable / delete with
 * undo, presets and import, unsaved edits kept across tabs, the save bar never over the field an error
 * jumps to, and "Try on a past call" against a stored call (the demo, imported) whose cards are known.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { demoCallPath } from '../../src/call/demo';
import { importRecording } from '../../src/call/import-recording';
import { loadPlaybookFile } from '../../src/playbook/playbook-file';
import { expect, skipWithoutChromium, test } from './fixtures';
import { RESULTS_DIR } from './harness';

/** A rule's card by rule id. */
const card = (page: Page, ruleId: string) => page.locator(`[data-testid="rule-card"][data-rule="${ruleId}"]`);

test.describe('playbook editor in Chromium', () => {
  skipWithoutChromium();

  test('rules read as sentences in s / wpm / %, a field that held text recovers, and saving stores engine units', async ({ ui, openPage }) => {
    const page = await openPage(`${ui.host.url}#/settings`);
    const fast = card(page, 'speaking-too-fast');
    await fast.waitFor();
    await expect(fast.getByTestId('rule-sentence')).toContainText('Tell me when');
    // The pace threshold is shown in wpm, the wait in seconds, the talk share in per cent.
    const pace = fast.locator('input[data-path="rules[0].condition.value"]');
    await expect(pace).toHaveValue('190');
    await expect(fast.locator('input[data-path="rules[0].condition.forMs"]')).toHaveValue('6');
    const talk = card(page, 'talk-ratio-high');
    await expect(talk.locator('input[data-path$=".condition.value"]')).toHaveValue('65');
    await expect(talk.getByTestId('rule-sentence')).toContainText('%');

    // Text in a number field: an error in words at the field, Save off; a number again: the error goes.
    const wait = fast.locator('input[data-path="rules[0].condition.forMs"]');
    await wait.fill('abc');
    const err = fast.locator('[data-testid="field-error"][data-path="rules[0].condition.forMs"]');
    await expect(err).toHaveText('"abc" is not a number.');
    await expect(page.getByTestId('save-playbook')).toBeDisabled();
    await page.screenshot({ path: join(RESULTS_DIR, 'playbook-editor-field-error.png') });
    await wait.fill('100000');
    await expect(err).toHaveText(/from 0 to 86400 s/);
    await wait.fill('7.5');
    await expect(err).toHaveCount(0);
    await pace.fill('180');
    await talk.locator('input[data-path$=".condition.value"]').fill('55');
    await expect(page.getByTestId('unsaved')).toBeVisible();

    // Switching tabs keeps the unsaved edits.
    await page.getByTestId('tab-general').click();
    await expect(page.getByTestId('playbook-unsaved-tab')).toBeVisible();
    await page.getByTestId('tab-playbook').click();
    await expect(fast.locator('input[data-path="rules[0].condition.forMs"]')).toHaveValue('7.5');
    await expect(page.getByTestId('unsaved')).toBeVisible();

    await page.getByTestId('save-playbook').click();
    await expect(page.getByTestId('playbook-status')).toContainText('Saved');
    const active = await ui.app.playbooks.active();
    const rule = (id: string) => active.rules.find((r) => r.id === id)!;
    expect(rule('speaking-too-fast').condition).toMatchObject({ value: 180, forMs: 7500 });
    expect((rule('talk-ratio-high').condition as { value: number }).value).toBeCloseTo(0.55, 9);
    await page.screenshot({ path: join(RESULTS_DIR, 'playbook-editor.png'), fullPage: true });
    await page.close();
  });

  test('add, duplicate, disable and delete a rule (delete and presets can be undone); every condition type is editable', async ({ ui, openPage }) => {
    const page = await openPage(`${ui.host.url}#/settings`);
    await page.getByTestId('rule-card').first().waitFor();
    const count = await page.getByTestId('rule-card').count();

    await page.getByTestId('add-rule').click();
    await expect(page.getByTestId('rule-card')).toHaveCount(count + 1);
    const added = page.getByTestId('rule-card').last();
    await added.locator('input[data-path$=".title"]').fill('Customer waits');
    // Each condition type can be chosen and filled in, and the rule stays valid.
    const kind = added.locator('select[data-path$=".condition.type"]');
    await kind.selectOption('event');
    await added.locator('select[data-path$=".condition.event"]').selectOption('overtalk');
    await kind.selectOption('all');
    await added.getByTestId('add-measure').click();
    await added.locator('select[data-path$=".condition.of[1].metric"]').selectOption('responseWaitMs');
    await added.locator('input[data-path$=".condition.of[1].value"]').fill('3');
    await kind.selectOption('metric');
    await added.locator('select[data-path$=".condition.metric"]').selectOption('deadAirMs');
    await added.locator('input[data-path$=".condition.value"]').fill('4');
    await expect(page.getByTestId('problem-summary')).toHaveCount(0);

    // Duplicate makes a second, uniquely named copy; disable turns one off.
    await card(page, 'dead-air').getByTestId('duplicate-rule').click();
    const copy = card(page, 'dead-air-copy');
    await expect(copy).toHaveCount(1);
    await copy.getByTestId('rule-enabled').uncheck();
    await card(page, 'monologue').getByTestId('rule-enabled').uncheck();

    // Delete, then undo, then delete for good.
    await card(page, 'low-energy').getByTestId('delete-rule').click();
    await expect(card(page, 'low-energy')).toHaveCount(0);
    await page.getByTestId('undo').click();
    await expect(card(page, 'low-energy')).toHaveCount(1);
    await card(page, 'low-energy').getByTestId('delete-rule').click();

    await page.getByTestId('save-playbook').click();
    await expect(page.getByTestId('playbook-status')).toContainText('Saved');
    const saved = await ui.app.playbooks.active();
    const ids = saved.rules.map((r) => r.id);
    expect(ids).not.toContain('low-energy');
    expect(ids).toContain('dead-air-copy');
    expect(saved.rules.find((r) => r.id === 'dead-air-copy')!.enabled).toBe(false);
    expect(saved.rules.find((r) => r.id === 'monologue')!.enabled).toBe(false);
    const mine = saved.rules.find((r) => r.title === 'Customer waits')!;
    expect(mine.condition).toMatchObject({ type: 'metric', metric: 'deadAirMs', value: 4000 });

    // A preset replaces the draft (undoable), and nothing is saved until Save.
    await page.getByTestId('preset').selectOption('sales');
    await expect(page.locator('input[data-path="name"]')).toHaveValue('Sales');
    await expect(page.getByTestId('unsaved')).toBeVisible();
    expect((await ui.app.playbooks.active()).name).toBe(saved.name);
    await page.getByTestId('undo').click();
    await expect(page.locator('input[data-path="name"]')).toHaveValue(saved.name);
    await page.screenshot({ path: join(RESULTS_DIR, 'playbook-editor-rules.png'), fullPage: true });
    await page.close();
  });

  test('language rules: phrases edited as a list, an any-rule of mood + phrase, a checklist item and a missed rule, saved exactly', async ({ ui, openPage }) => {
    const page = await openPage(`${ui.host.url}#/settings`);
    const price = card(page, 'price-objection');
    await price.waitFor();
    await expect(price.getByTestId('rule-sentence')).toContainText('the customer');
    const before = loadPlaybookFile().rules.find((r) => r.id === 'price-objection')!.condition as { phrases: string[] };

    // Edit one phrase, remove another, add one: an empty phrase is refused in words and Save is off until it has words.
    await price.locator('input[data-path$=".condition.phrases[0]"]').fill('way too expensive');
    await price.getByRole('button', { name: 'Remove phrase 2' }).click();
    await price.getByTestId('add-phrase').click();
    const fresh = price.locator(`input[data-path$=".condition.phrases[${before.phrases.length - 1}]"]`);
    await expect(fresh).toHaveValue('');
    await expect(price.locator(`[data-testid="field-error"][data-path$=".condition.phrases[${before.phrases.length - 1}]"]`)).toHaveText('Type the words of the phrase, or remove it.');
    await expect(page.getByTestId('save-playbook')).toBeDisabled();
    await page.screenshot({ path: join(RESULTS_DIR, 'playbook-editor-phrase-refused.png') });
    await fresh.fill('over budget');
    await expect(price.getByTestId('field-error')).toHaveCount(0);

    // A checklist item, renamed after it was added (its id stays, so rules keep pointing at it).
    await page.getByTestId('add-item').click();
    const item = page.getByTestId('checklist-item').last();
    await item.locator('input[data-path$=".title"]').fill('Offer a callback');
    await item.locator('input[data-path$=".phrases[0]"]').fill('call you back');
    await item.locator('input[data-path$=".advice"]').fill('Offer to call back when a fix takes time.');

    // "A frustrated customer and 'cancel'": an any-rule of a mood and a phrase, built from parts.
    await page.getByTestId('add-rule').click();
    const mix = page.getByTestId('rule-card').last();
    await mix.locator('input[data-path$=".title"]').fill('Unhappy and cancelling');
    await mix.locator('select[data-path$=".condition.type"]').selectOption('any');
    // The new rule counted the agent's speech for 5 s; a mood and a phrase want the call's clock, at once.
    await mix.locator('input[data-path$=".condition.forMs"]').fill('0');
    await mix.locator('select[data-path$=".condition.clock"]').selectOption('call');
    await mix.locator('select[data-path$=".condition.of[0].type"]').selectOption('sentiment');
    await mix.locator('input[data-path$=".condition.of[0].below"]').fill('-0.4');
    await mix.locator('input[data-path$=".condition.of[0].turns"]').fill('3');
    await mix.getByTestId('add-measure').click();
    await mix.locator('select[data-path$=".condition.of[1].type"]').selectOption('phrase');
    await mix.locator('select[data-path$=".condition.of[1].speaker"]').selectOption('customer');
    await mix.locator('input[data-path$=".condition.of[1].phrases[0]"]').fill('cancel my contract');
    await expect(mix.getByTestId('rule-sentence')).toContainText('sounds unhappy');
    await mix.screenshot({ path: join(RESULTS_DIR, 'playbook-editor-any-rule.png') });

    // A missed rule pointing at the new item, by its title.
    await page.getByTestId('add-rule').click();
    const missed = page.getByTestId('rule-card').last();
    await missed.locator('input[data-path$=".title"]').fill('No callback offered');
    await missed.locator('select[data-path$=".condition.type"]').selectOption('missed');
    const pick = missed.locator('select[data-path$=".condition.item"]');
    await pick.selectOption({ label: 'Offer a callback' });
    await missed.locator('input[data-path$=".condition.afterMs"]').fill('45');
    await expect(missed.getByTestId('rule-sentence')).toContainText('is not said within');

    // The item a rule uses is not deleted; the refusal names the rule.
    await item.getByTestId('delete-item').click();
    await expect(item.getByTestId('checklist-refusal')).toContainText('“No callback offered”');
    await expect(page.getByTestId('checklist-item')).toHaveCount(loadPlaybookFile().checklist.length + 1);
    // The score's language points, in points and questions.
    await page.locator('input[data-path="languageRubric.questionsTarget"]').fill('4');
    await expect(page.getByTestId('problem-summary')).toHaveCount(0);

    await page.getByTestId('save-playbook').click();
    await expect(page.getByTestId('playbook-status')).toContainText('Saved');
    await page.screenshot({ path: join(RESULTS_DIR, 'playbook-editor-language.png'), fullPage: true });
    const saved = await ui.app.playbooks.active();
    const rule = (title: string) => saved.rules.find((r) => r.title === title)!;
    expect(saved.rules.find((r) => r.id === 'price-objection')!.condition).toEqual({
      type: 'phrase',
      speaker: 'customer',
      phrases: ['way too expensive', ...before.phrases.slice(2), 'over budget'],
      holdMs: 6000,
    });
    const added = saved.checklist.at(-1)!;
    expect(added).toEqual({ id: added.id, title: 'Offer a callback', speaker: 'agent', phrases: ['call you back'], advice: 'Offer to call back when a fix takes time.' });
    expect(saved.checklist.slice(0, -1)).toEqual(loadPlaybookFile().checklist);
    expect(rule('Unhappy and cancelling').condition).toMatchObject({
      type: 'any',
      forMs: 0,
      clock: 'call',
      of: [
        { type: 'sentiment', speaker: 'customer', below: -0.4, turns: 3 },
        { type: 'phrase', speaker: 'customer', phrases: ['cancel my contract'] },
      ],
    });
    expect(rule('No callback offered').condition).toEqual({ type: 'missed', item: added.id, afterMs: 45_000 });
    expect(saved.languageRubric).toEqual({ checklist: 10, objections: 10, questions: 5, questionsTarget: 4 });
    await page.close();
  });

  test('import refuses a broken file in words, takes a good one; the problem list jumps to a field clear of the save bar', async ({ ui, dataDir, openPage }) => {
    const page = await openPage(`${ui.host.url}#/settings`, { width: 1100, height: 600 });
    await page.getByTestId('rule-card').first().waitFor();
    const bad = join(dataDir, 'bad.json');
    writeFileSync(bad, '{"version": 1, "name": "x", "rules": [{"id": "Bad Id"}]}');
    await page.getByTestId('import-file').setInputFiles(bad);
    await expect(page.getByTestId('import-problems')).toContainText('Not imported');
    await expect(page.getByTestId('import-problems')).not.toContainText('expected');

    const good = join(dataDir, 'team.json');
    const pb = loadPlaybookFile();
    writeFileSync(good, JSON.stringify({ ...pb, name: 'Team playbook', rules: pb.rules.slice(0, 3) }));
    await page.getByTestId('import-file').setInputFiles(good);
    await expect(page.getByTestId('rule-card')).toHaveCount(3);
    await expect(page.locator('input[data-path="name"]')).toHaveValue('Team playbook');

    // An error further down: the link in the summary focuses that field, and the bar does not cover it.
    const last = page.getByTestId('rule-card').last();
    await last.locator('input[data-path$=".cooldownMs"]').fill('soon');
    await page.evaluate(() => (globalThis as unknown as { scrollTo(x: number, y: number): void }).scrollTo(0, 0));
    await page.getByTestId('problem-link').first().click();
    const field = last.locator('input[data-path$=".cooldownMs"]');
    await expect(field).toBeFocused();
    const [bar, box] = [await page.getByTestId('save-bar').boundingBox(), await field.boundingBox()];
    expect(bar && box).toBeTruthy();
    expect(box!.y).toBeGreaterThanOrEqual(bar!.y + bar!.height);
    await page.screenshot({ path: join(RESULTS_DIR, 'playbook-editor-jump.png') });
    await page.close();
  });

  test('try on a past call: the cards the edited playbook would raise on a stored call, before saving', async ({ ui, openPage }) => {
    test.setTimeout(120_000);
    const { callId } = await importRecording(ui.app.library, demoCallPath(), { playbook: loadPlaybookFile(), title: 'Router support call' });
    const stored = (await ui.app.handlers['calls.get']({ id: callId })).report.nudges;
    const storedDeadAir = stored.filter((n) => n.ruleId === 'dead-air');
    expect(storedDeadAir.length).toBeGreaterThan(0);

    const page = await openPage(`${ui.host.url}#/settings`);
    await page.getByTestId('rule-card').first().waitFor();
    await expect(page.getByTestId('try-call')).toHaveValue(callId);
    await page.getByTestId('try-run').click();
    const result = page.getByTestId('try-result');
    await result.waitFor({ timeout: 60_000 });
    // Unchanged, the playbook raises what the call raised, at the same moments (the recording is Opus: ±1 s).
    const trialDeadAir = result.locator('[data-testid="trial-card"][data-rule="dead-air"]');
    await expect(trialDeadAir).toHaveCount(storedDeadAir.length);
    // The imported recording has no transcript: the trial says the language rules had no words to hear.
    await expect(result.getByTestId('try-words')).toHaveText(/no transcript/);
    const at = Number(await trialDeadAir.first().getAttribute('data-at'));
    expect(Math.abs(at - storedDeadAir[0]!.atMs)).toBeLessThanOrEqual(1000);

    // Dead air off and a stricter pace: no dead-air card, and pace cards appear at least as often.
    await card(page, 'dead-air').getByTestId('rule-enabled').uncheck();
    await card(page, 'speaking-too-fast').locator('input[data-path$=".condition.value"]').fill('150');
    await page.getByTestId('try-run').click();
    await expect(result.locator('[data-testid="trial-card"][data-rule="dead-air"]')).toHaveCount(0, { timeout: 60_000 });
    const fastStored = stored.filter((n) => n.ruleId === 'speaking-too-fast').length;
    expect(await result.locator('[data-testid="trial-card"][data-rule="speaking-too-fast"]').count()).toBeGreaterThanOrEqual(Math.max(1, fastStored));
    // Nothing was saved by trying.
    expect((await ui.app.playbooks.state()).origin).toBe('default');
    await page.screenshot({ path: join(RESULTS_DIR, 'playbook-try-on-call.png'), fullPage: true });

    // The server refuses an invalid playbook with the paths of its problems, and keeps the active one.
    const bad = JSON.parse((await ui.app.playbooks.state()).text) as { rules: { cooldownMs: number }[] };
    bad.rules[0]!.cooldownMs = -5;
    const check = await ui.app.handlers['playbook.save']({ text: JSON.stringify(bad) });
    expect(check.ok).toBe(false);
    expect(check.problems.map((p) => p.path)).toContain('rules[0].cooldownMs');
    await expect(ui.app.handlers['playbook.tryOnCall']({ text: JSON.stringify(bad), callId })).rejects.toThrow(/problem/);
    await page.close();
  });
});
