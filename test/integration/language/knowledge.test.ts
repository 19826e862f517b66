/**
 * The knowledge base: `cadence kb add | list | remove | search` on Markdown, text and PDF, hostile
 * input refused in one line with nothing added, and a knowledge card raised from a small KB by what
 * the customer says in a call heard through the Deepgram stand-in.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { run } from '../../../src/cli/main';
import type { Library } from '../../../src/library/library';
import { runScriptedCall } from '../../helpers/language-call';
import { makePdf } from '../../helpers/pdf';
import { useFreshLibrary } from '../library/helpers';

let lib: Library;
let dir = '';
let db = '';
useFreshLibrary((tmp, l) => {
  lib = l;
  dir = tmp.dir;
  db = join(tmp.dir, 'library.sqlite');
});

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await run([...argv, '--db', db], { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

const ROUTER_MD = `# Router keeps dropping
If the internet drops every evening, the router is often overheating or on a crowded Wi-Fi channel. Ask the customer to move the router off the floor, then switch the Wi-Fi channel to 1, 6 or 11 in the router settings.

# Refunds
Refunds for outages longer than 24 hours are credited automatically on the next bill. A manual refund needs a supervisor's approval.
`;
const PLANS_TXT = `Plan prices

The Basic plan costs 30 dollars a month. The Premium plan costs 55 dollars and includes a new mesh router and a two year warranty.
`;

function files(): { md: string; txt: string; pdf: string } {
  const md = join(dir, 'support.md');
  const txt = join(dir, 'plans.txt');
  const pdf = join(dir, 'warranty.pdf');
  writeFileSync(md, ROUTER_MD);
  writeFileSync(txt, PLANS_TXT);
  writeFileSync(pdf, makePdf([['Equipment warranty', 'Modems and routers are covered by a one year warranty.', 'Water damage is not covered by the warranty.']]));
  return { md, txt, pdf };
}

describe('knowledge base', () => {
  it('adds Markdown, text and PDF; lists, searches and removes them', async () => {
    const f = files();
    const add = await cli('kb', 'add', f.md, f.txt, f.pdf);
    expect(add.code, add.err).toBe(0);
    expect(add.out).toContain('added: support.md  2 passages');
    const list = JSON.parse((await cli('kb', 'list', '--json')).out) as { name: string; passages: number }[];
    expect(list.map((d) => [d.name, d.passages])).toEqual([
      ['plans.txt', 1],
      ['support.md', 2],
      ['warranty.pdf', 1],
    ]);
    const hits = JSON.parse((await cli('kb', 'search', 'is', 'water', 'damage', 'covered', '--json')).out) as { source: string; text: string }[];
    expect(hits[0]!.source).toBe('warranty.pdf');
    expect(hits[0]!.text).toContain('Water damage is not covered');
    // Adding again replaces, not duplicates.
    expect((await cli('kb', 'add', f.md)).code).toBe(0);
    expect((await lib.kb.list()).length).toBe(3);
    expect((await cli('kb', 'remove', 'plans.txt')).code).toBe(0);
    expect((await lib.kb.search('Premium plan costs')).map((h) => h.source)).not.toContain('plans.txt');
  });

  it('refuses hostile input in one line and adds nothing', async () => {
    const f = files();
    const junk = join(dir, 'junk.pdf');
    writeFileSync(junk, 'this is not a pdf at all');
    const empty = join(dir, 'empty.md');
    writeFileSync(empty, '\n\n   \n');
    for (const args of [['kb', 'add', f.md, junk], ['kb', 'add', empty], ['kb', 'add', join(dir, 'missing.txt')], ['kb', 'add', join(dir, 'x.docx')], ['kb', 'remove', 'nope.md'], ['kb', 'frobnicate']]) {
      const r = await cli(...args);
      expect(r.code, args.join(' ')).not.toBe(0);
      expect(r.err.trim().split('\n'), args.join(' ')).toHaveLength(1);
      expect(r.err).not.toMatch(/\n\s+at /);
    }
    expect(await lib.kb.list()).toEqual([]);
    // Search text that is only punctuation or stop words finds nothing rather than failing.
    expect(await lib.kb.search('"*) OR NEAR(')).toEqual([]);
    expect(await lib.kb.search('um well the')).toEqual([]);
  });

  it('raises a knowledge card with the best passage and its source from what the customer says', async () => {
    const f = files();
    await cli('kb', 'add', f.md, f.txt, f.pdf);
    const call = await runScriptedCall(
      [
        { who: 'agent', atMs: 500, text: 'Thanks for calling, how can I help?' },
        { who: 'customer', atMs: 3000, text: 'Hi, my internet keeps dropping every evening.' },
        { who: 'agent', atMs: 7000, text: 'Sorry to hear that.' },
        { who: 'customer', atMs: 9000, text: 'Okay, thanks, sounds good.' },
        { who: 'customer', atMs: 12000, text: 'Does the warranty cover water damage?' },
      ],
      16000,
      { lookup: (text) => lib.kb.lookup(text) },
    );
    expect(call.cards.map((c) => c.title)).toEqual(['Router keeps dropping (support.md)', 'warranty (warranty.pdf)']);
    expect(call.cards[0]!.message).toContain('overheating');
    expect(call.cards[0]!.atMs).toBeGreaterThanOrEqual(3000);
    expect(call.cards[1]!.message + (call.cards[1]!.detail ?? '')).toContain('Water damage is not covered');
  }, 60_000);
});
