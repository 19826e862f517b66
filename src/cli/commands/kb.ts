import { readKbFile } from '../../insights/knowledge';
import { UserError } from '../../shared/errors';
import { LIBRARY_OPTIONS, withLibrary } from '../library-options';
import type { Command } from '../command';

export const kbCommand: Command = {
  name: 'kb',
  summary: 'The knowledge base for knowledge cards: add Markdown, text and PDF files; list, remove, search',
  usage: 'cadence kb add <files…> | kb list | kb remove <name|id> | kb search <text…>  [--json] [--db FILE]',
  options: LIBRARY_OPTIONS,
  minArgs: 1,
  run(args, opts, io) {
    const [sub, ...rest] = args;
    const json = opts.json === true;
    if (sub === 'list' || sub === 'search' ? false : sub === 'add' || sub === 'remove' ? rest.length === 0 : true) {
      throw new UserError(sub === 'add' || sub === 'remove' ? `kb ${sub} needs ${sub === 'add' ? 'files' : 'a document name'}` : `unknown kb command "${sub ?? ''}" (add, list, remove, search)`, 'usage');
    }
    return withLibrary(
      opts,
      async (lib) => {
        if (sub === 'add') {
          // Every file is read first: a bad one adds nothing.
          const docs = [];
          for (const path of rest) docs.push(await readKbFile(path));
          for (const d of docs) {
            const doc = await lib.kb.add(d.name, d.kind, d.passages);
            io.out(json ? JSON.stringify(doc) : `added: ${doc.name}  ${doc.passages} passages`);
          }
        } else if (sub === 'list') {
          const docs = await lib.kb.list();
          if (json) io.out(JSON.stringify(docs));
          else if (docs.length === 0) io.out('the knowledge base is empty (cadence kb add <files…>)');
          else for (const d of docs) io.out(`${String(d.id).padStart(4)}  ${d.name}  ${d.kind}, ${d.passages} passages`);
        } else if (sub === 'remove') {
          for (const name of rest) {
            await lib.kb.remove(name);
            if (!json) io.out(`removed: ${name}`);
          }
          if (json) io.out(JSON.stringify({ removed: rest }));
        } else {
          const hits = await lib.kb.search(rest.join(' '));
          if (json) io.out(JSON.stringify(hits));
          else if (hits.length === 0) io.out('no match');
          else for (const h of hits) io.out(`${h.source} — ${h.heading}\n  ${h.text}\n`);
        }
        return 0;
      },
      { readOnlyOk: sub === 'list' || sub === 'search' },
    );
  },
};
