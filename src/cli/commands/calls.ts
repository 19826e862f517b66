import { UserError } from '../../shared/errors';
import { fmtDate, LIBRARY_OPTIONS, parseDateOption, parseIntOption, withLibrary } from '../library-options';
import { CALL_STATUSES, type CallQuery, type CallStatus } from '../../library/types';
import type { Command } from '../command';
import { fmtMs } from '../format';

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

export const callsCommand: Command = {
  name: 'calls',
  summary: 'List or search the call library, newest first (full-text search over titles, notes and transcripts)',
  usage: 'cadence calls [--search TEXT] [--from DATE] [--to DATE] [--rule ID] [--agent NAME] [--tag TAG] [--status S] [--limit N] [--offset N] [--json] [--db FILE]',
  options: {
    ...LIBRARY_OPTIONS,
    search: { type: 'string', short: 's' },
    from: { type: 'string' },
    to: { type: 'string' },
    rule: { type: 'string' },
    agent: { type: 'string' },
    tag: { type: 'string' },
    status: { type: 'string' },
    limit: { type: 'string', short: 'n' },
    offset: { type: 'string' },
  },
  run(_args, opts, io) {
    const status = str(opts.status);
    if (status !== undefined && !CALL_STATUSES.includes(status as CallStatus)) throw new UserError(`--status: expected one of ${CALL_STATUSES.join(', ')}, got ${status}`);
    const from = str(opts.from);
    const to = str(opts.to);
    const query: CallQuery = {
      ...(str(opts.search) !== undefined && { search: str(opts.search) }),
      ...(from !== undefined && { from: parseDateOption('from', from) }),
      ...(to !== undefined && { to: parseDateOption('to', to, true) }),
      ...(str(opts.rule) !== undefined && { ruleId: str(opts.rule) }),
      ...(str(opts.agent) !== undefined && { agent: str(opts.agent) }),
      ...(str(opts.tag) !== undefined && { tag: str(opts.tag) }),
      ...(status !== undefined && { status: status as CallStatus }),
      limit: parseIntOption('limit', str(opts.limit), 1, 1000) ?? 50,
      offset: parseIntOption('offset', str(opts.offset), 0, Number.MAX_SAFE_INTEGER) ?? 0,
    };
    return withLibrary(opts, async (lib) => {
      const page = await lib.calls.list(query);
      if (opts.json) {
        io.out(JSON.stringify(page));
        return 0;
      }
      if (page.items.length === 0) {
        io.out(page.total === 0 ? 'No calls.' : `No calls on this page (${page.total} in all).`);
        return 0;
      }
      for (const c of page.items) {
        const who = [c.agent, c.customerLabel].filter(Boolean).join(' → ');
        io.out(`${c.id.slice(0, 8)}  ${fmtDate(c.startedAt)}  ${fmtMs(c.durationMs).padStart(6)}  ${c.status.padEnd(11)}  ${c.title || '(untitled)'}${who ? `  (${who})` : ''}`);
        if (c.snippet) io.out(`          ${c.snippet.replace(/\s+/g, ' ')}`);
      }
      const shown = (query.offset ?? 0) + page.items.length;
      if (shown < page.total) io.out(`… ${page.total - shown} more (use --offset ${shown})`);
      return 0;
    }, { readOnlyOk: true });
  },
};
