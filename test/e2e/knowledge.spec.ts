/**
 * Settings → Knowledge base in Chromium through the browser host (real library): documents are added
 * from files as a user picks them, listed with their passages, searched with a customer's words, and
 * removed; a file that is not a document is refused in one line and adds nothing.
 */
import { expect, skipWithoutChromium, test } from './fixtures';

const RETURNS = `# Returns policy

## Refunds
A refund is paid to the original card within five working days once the returned router reaches our warehouse.

## Exchanges
An exchange ships a replacement router the same day when the customer still has the faulty unit.
`;

test.describe('knowledge base settings in Chromium', () => {
  skipWithoutChromium();

  test('add a Markdown file, find a passage with a customer’s words, refuse a non-document, remove it', async ({ ui, openPage }) => {
    await ui.app.settings.set({ firstRunDone: true });
    const page = await openPage(`${ui.host.url}#/settings/knowledge`);
    await page.getByTestId('kb-settings').waitFor();
    await expect(page.getByTestId('kb-empty')).toBeVisible();

    await page.getByTestId('kb-file').setInputFiles({ name: 'returns.md', mimeType: 'text/markdown', buffer: Buffer.from(RETURNS) });
    await expect(page.getByTestId('kb-message')).toContainText('Added returns.md (2 passages)');
    await expect(page.getByTestId('kb-doc')).toHaveCount(1);
    await expect(page.getByTestId('kb-doc').first()).toContainText('returns.md');
    // What the app stored is what the CLI's library sees.
    expect((await ui.app.library.kb.list()).map((d) => [d.name, d.passages])).toEqual([['returns.md', 2]]);

    await page.getByTestId('kb-query').fill('when do I get my refund on the card');
    await page.getByTestId('kb-search').click();
    await expect(page.getByTestId('kb-hit').first()).toContainText('Refunds');
    await expect(page.getByTestId('kb-hit').first()).toContainText('five working days');

    await page.getByTestId('kb-file').setInputFiles({ name: 'photo.png', mimeType: 'image/png', buffer: Buffer.from([0x89, 0x50, 0x4e, 0x47]) });
    await expect(page.getByTestId('kb-message')).toHaveText('photo.png: not a Markdown, text or PDF file (.md, .txt, .pdf)');
    await expect(page.getByTestId('kb-doc')).toHaveCount(1);

    await page.getByRole('button', { name: 'Remove returns.md' }).click();
    await expect(page.getByTestId('kb-message')).toHaveText('Removed returns.md');
    await expect(page.getByTestId('kb-empty')).toBeVisible();
    expect(await ui.app.library.kb.list()).toEqual([]);
  });
});
