/**
 * Knowledge-base documents → passages: Markdown and text split at blank lines (a Markdown heading names
 * the passages under it), PDF text read page by page with pdfjs-dist. Passages are a few sentences:
 * long enough to answer, short enough to read on a card.
 */
import { readFile } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import type { KbPassageInput } from '../library/repos/kb';
import { oneLine, UserError } from '../shared/errors';

/** Longest passage, characters; longer paragraphs are cut at sentence ends. */
const MAX_CHARS = 600;
/** Shorter paragraphs join the next one under the same heading. */
const MIN_CHARS = 120;

export const KB_KINDS = ['md', 'txt', 'pdf'] as const;

function kindOf(path: string): (typeof KB_KINDS)[number] {
  const ext = extname(path).slice(1).toLowerCase();
  if (ext === 'md' || ext === 'markdown') return 'md';
  if (ext === 'txt' || ext === 'text') return 'txt';
  if (ext === 'pdf') return 'pdf';
  throw new UserError(`${basename(path)}: not a Markdown, text or PDF file (.md, .txt, .pdf)`, 'bad_input');
}

function cut(text: string): string[] {
  if (text.length <= MAX_CHARS) return [text];
  const out: string[] = [];
  let cur = '';
  for (const sentence of text.match(/[^.!?]+[.!?]*\s*/g) ?? [text]) {
    if (cur && cur.length + sentence.length > MAX_CHARS) {
      out.push(cur.trim());
      cur = '';
    }
    cur += sentence;
  }
  if (cur.trim()) out.push(cur.trim());
  return out.flatMap((p) => (p.length > MAX_CHARS * 1.5 ? p.match(new RegExp(`.{1,${MAX_CHARS}}`, 'gs')) ?? [] : [p]));
}

/** Passages of a text, headings from Markdown `#` lines (the document's name before the first). */
export function splitText(text: string, title: string, markdown: boolean): KbPassageInput[] {
  const out: KbPassageInput[] = [];
  let heading = title;
  let pending = '';
  const flush = (): void => {
    for (const p of cut(pending.replace(/\s+/g, ' ').trim())) if (p) out.push({ heading, text: p });
    pending = '';
  };
  for (const block of text.replace(/\r\n?/g, '\n').split(/\n\s*\n/)) {
    const lines = block.split('\n');
    let body = lines;
    const h = markdown ? /^#{1,6}\s+(.*)$/.exec(lines[0]!.trim()) : null;
    if (h) {
      flush();
      heading = h[1]!.trim() || title;
      body = lines.slice(1);
    }
    const para = body.map((l) => (markdown ? l.replace(/^\s*([-*+]|\d+\.)\s+/, '').replace(/[*_`]/g, '') : l)).join(' ').trim();
    if (!para) continue;
    pending = pending ? `${pending} ${para}` : para;
    if (pending.length >= MIN_CHARS) flush();
  }
  flush();
  return out;
}

async function pdfText(data: Uint8Array, name: string): Promise<string[]> {
  const { getDocument } = await import('pdfjs-dist/legacy/build/pdf.mjs');
  try {
    const doc = await getDocument({ data, useSystemFonts: false, isEvalSupported: false, verbosity: 0 }).promise;
    const pages: string[] = [];
    for (let i = 1; i <= doc.numPages; i++) {
      const content = await (await doc.getPage(i)).getTextContent();
      pages.push(content.items.map((it) => ('str' in it ? `${it.str}${it.hasEOL ? '\n' : ' '}` : '')).join(''));
    }
    await doc.destroy();
    return pages;
  } catch (err) {
    throw new UserError(`${name}: not a readable PDF (${oneLine(err)})`, 'bad_input');
  }
}

/** Reads a file into passages; one-line errors for unknown kinds, unreadable files and empty text. */
export async function readKbFile(path: string): Promise<{ name: string; kind: string; passages: KbPassageInput[] }> {
  const name = basename(path);
  // An unknown kind is refused before the file is read (kbDocument checks the name again).
  kindOf(path);
  let data: Buffer;
  try {
    data = await readFile(path);
  } catch (err) {
    throw new UserError(`${name}: cannot read (${(err as NodeJS.ErrnoException).code ?? oneLine(err)})`, 'bad_input');
  }
  return kbDocument(name, data);
}

/** A document's bytes (a file read here, or one the app's window sent) into passages. */
export async function kbDocument(name: string, data: Uint8Array): Promise<{ name: string; kind: string; passages: KbPassageInput[] }> {
  const kind = kindOf(name);
  const title = name.replace(/\.[^.]+$/, '');
  const passages =
    kind === 'pdf'
      ? (await pdfText(new Uint8Array(data), name)).flatMap((page) => splitText(page.replace(/\s+/g, ' '), title, false))
      : splitText(Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('utf8'), title, kind === 'md');
  if (passages.length === 0) throw new UserError(`${name}: no text found`, 'bad_input');
  return { name, kind, passages };
}
