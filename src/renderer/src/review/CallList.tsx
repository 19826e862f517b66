/**
 * The call list: search with highlighted snippets; labelled filters (card by its title, date range,
 * status, agent, minimum score) validated in words before anything is asked; sort by date, score or
 * duration; one-line rows (virtualized) with a running timer on a live call; arrow keys move the
 * selection. A call being deleted is hidden while its delete can still be undone.
 */
import { useEffect, useMemo, useRef, useState } from 'react';
import { validatePlaybook } from '../../../shared/playbook';
import type { CallListItem, CallQuery } from '../../../shared/rpc';
import { clock, dateTime, snippetParts } from '../lib/format';
import { onEvent, rpc } from '../lib/rpc';

const ROW = 52;
const ROW_WITH_SNIPPET = 70;
const PAGE = 500;

type Sort = NonNullable<CallQuery['sort']>;
type Status = NonNullable<CallQuery['status']>;
const STATUS_WORDS: Record<Status, string> = { live: 'Live now', completed: 'Completed', imported: 'Imported', interrupted: 'Interrupted' };

function Snippet({ text }: { text: string }): React.JSX.Element {
  return (
    <span className="snippet" data-testid="snippet">
      {snippetParts(text).map((p, i) => (p.hit ? <mark key={i}>{p.text}</mark> : <span key={i}>{p.text}</span>))}
    </span>
  );
}

/** Now, ticking every second while `on` (a live call's timer). */
function useNow(on: boolean): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    if (!on) return;
    const t = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(t);
  }, [on]);
  return now;
}

/** Titles of the active playbook's rules by id, for the card filter. */
function useRuleTitles(): readonly { id: string; title: string }[] {
  const [rules, setRules] = useState<readonly { id: string; title: string }[]>([]);
  useEffect(() => {
    const take = (text: string): void => {
      const r = validatePlaybook(JSON.parse(text));
      if (r.ok) setRules(r.playbook.rules.map((x) => ({ id: x.id, title: x.title })));
    };
    rpc()
      .call('playbook.get')
      .then((s) => take(s.text))
      .catch(() => undefined);
    return onEvent('playbook.changed', (s) => take(s.text));
  }, []);
  return rules;
}

/** Renders only the rows in view (plus a few), whatever the number of calls. */
function VirtualRows({ items, selected, onSelect, rowHeight }: { items: readonly CallListItem[]; selected: string | null; onSelect(id: string): void; rowHeight: number }): React.JSX.Element {
  const ref = useRef<HTMLDivElement>(null);
  const [top, setTop] = useState(0);
  const [height, setHeight] = useState(600);
  const now = useNow(items.some((c) => c.status === 'live'));
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const ro = new ResizeObserver(() => setHeight(el.clientHeight));
    ro.observe(el);
    return () => ro.disconnect();
  }, []);
  const first = Math.max(0, Math.floor(top / rowHeight) - 5);
  const last = Math.min(items.length, Math.ceil((top + height) / rowHeight) + 5);
  const move = (index: number): void => {
    const c = items[Math.max(0, Math.min(items.length - 1, index))];
    if (!c) return;
    onSelect(c.id);
    // Keep the newly selected row in view, then give it the focus once rendered.
    const el = ref.current;
    if (el) {
      const y = items.indexOf(c) * rowHeight;
      if (y < el.scrollTop) el.scrollTop = y;
      else if (y + rowHeight > el.scrollTop + el.clientHeight) el.scrollTop = y + rowHeight - el.clientHeight;
    }
    requestAnimationFrame(() => ref.current?.querySelector<HTMLElement>(`[data-call="${CSS.escape(c.id)}"]`)?.focus());
  };
  return (
    <div
      className="call-rows"
      ref={ref}
      onScroll={(e) => setTop(e.currentTarget.scrollTop)}
      role="listbox"
      aria-label="Calls"
      onKeyDown={(e) => {
        const at = items.findIndex((c) => c.id === selected);
        const to = e.key === 'ArrowDown' ? at + 1 : e.key === 'ArrowUp' ? at - 1 : e.key === 'Home' ? 0 : e.key === 'End' ? items.length - 1 : null;
        if (to === null) return;
        e.preventDefault();
        move(to);
      }}
    >
      <div style={{ height: items.length * rowHeight, position: 'relative' }}>
        {items.slice(first, last).map((c, i) => {
          const live = c.status === 'live';
          return (
            <div
              key={c.id}
              role="option"
              aria-selected={c.id === selected}
              tabIndex={c.id === selected || (selected === null && first + i === 0) ? 0 : -1}
              className={`call-row${c.id === selected ? ' selected' : ''}`}
              data-testid="call-row"
              data-call={c.id}
              style={{ position: 'absolute', top: (first + i) * rowHeight, height: rowHeight, left: 0, right: 0 }}
              onClick={() => onSelect(c.id)}
              onKeyDown={(e) => {
                if (e.key === 'Enter' || e.key === ' ') onSelect(c.id);
              }}
            >
              <div className="call-row-head">
                <span className="call-title">{c.title || 'Untitled call'}</span>
                <span className="call-when">{dateTime(c.startedAt)}</span>
              </div>
              <div className="call-row-sub">
                {live ? (
                  <span className="live-timer" data-testid="live-timer">
                    ● live {clock(now - c.startedAt)}
                  </span>
                ) : (
                  <span>{clock(c.durationMs)}</span>
                )}
                {!live && <span className={`status status-${c.status}`}>{STATUS_WORDS[c.status]}</span>}
                {c.score !== null && <span data-testid="row-score">score {Math.round(c.score)}</span>}
                {c.agent && <span>{c.agent}</span>}
                {c.tags.map((t) => (
                  <span key={t} className="tag">
                    {t}
                  </span>
                ))}
              </div>
              {c.snippet && <Snippet text={c.snippet} />}
            </div>
          );
        })}
      </div>
    </div>
  );
}

const dayStart = (date: string): number => new Date(`${date}T00:00:00`).getTime();

interface Filters {
  search: string;
  ruleId: string;
  status: '' | Status;
  agent: string;
  minScore: string;
  from: string;
  to: string;
  sort: Sort;
}
const NO_FILTERS: Filters = { search: '', ruleId: '', status: '', agent: '', minScore: '', from: '', to: '', sort: 'date' };

/** The query for these filters, or the problems (in words, by field) that keep it from being asked. */
function toQuery(f: Filters): { query: CallQuery; problems: Partial<Record<keyof Filters, string>> } {
  const problems: Partial<Record<keyof Filters, string>> = {};
  const min = f.minScore.trim();
  const n = Number(min);
  if (min !== '' && (!/^\d+(\.\d+)?$/.test(min) || n > 100)) problems.minScore = 'Enter a score from 0 to 100.';
  if (f.from && f.to && dayStart(f.to) < dayStart(f.from)) problems.to = '“To” is before “From”.';
  const query: CallQuery = {
    limit: PAGE,
    ...(f.search.trim() && { search: f.search }),
    ...(f.ruleId && { ruleId: f.ruleId }),
    ...(f.status && { status: f.status }),
    ...(f.agent.trim() && { agent: f.agent.trim() }),
    ...(min !== '' && !problems.minScore && { minScore: n }),
    ...(f.from && { from: dayStart(f.from) }),
    // "To" is a whole day: up to the start of the next.
    ...(f.to && { to: dayStart(f.to) + 86_400_000 }),
    ...(f.sort !== 'date' && { sort: f.sort }),
  };
  return { query, problems };
}

/** `onSelect` gets the search the call was found by ('' without one), so the review can play the moment it matched. */
export function CallList({ selected, onSelect, hidden }: { selected: string | null; onSelect(id: string, search: string): void; hidden?: string | null }): React.JSX.Element {
  const [f, setF] = useState<Filters>(NO_FILTERS);
  const [items, setItems] = useState<readonly CallListItem[]>([]);
  const [total, setTotal] = useState(0);
  const [error, setError] = useState<string | null>(null);
  const [version, setVersion] = useState(0);
  const rules = useRuleTitles();
  const { query, problems } = useMemo(() => toQuery(f), [f]);
  const invalid = Object.keys(problems).length > 0;
  const set = <K extends keyof Filters>(k: K, v: Filters[K]): void => setF((x) => ({ ...x, [k]: v }));

  useEffect(() => onEvent('calls.changed', () => setVersion((v) => v + 1)), []);
  useEffect(() => onEvent('live.state', () => setVersion((v) => v + 1)), []);

  useEffect(() => {
    if (invalid) return;
    let stale = false;
    const timer = setTimeout(() => {
      rpc()
        .call('calls.list', query)
        .then((page) => {
          if (stale) return;
          setItems(page.items);
          setTotal(page.total);
          setError(null);
        })
        .catch((err: Error) => !stale && setError(err.message));
    }, 120);
    return () => {
      stale = true;
      clearTimeout(timer);
    };
  }, [query, invalid, version]);

  const shown = hidden ? items.filter((c) => c.id !== hidden) : items;
  const shownTotal = hidden && shown.length < items.length ? total - 1 : total;
  const filtered = JSON.stringify({ ...f, search: '', sort: 'date' }) !== JSON.stringify({ ...NO_FILTERS });
  const fieldError = (k: keyof Filters): React.JSX.Element | null =>
    problems[k] ? (
      <span className="field-error" role="alert" data-testid={`filter-error-${k}`}>
        {problems[k]}
      </span>
    ) : null;

  return (
    <aside className="call-list">
      <input className="search" type="search" placeholder="Search transcripts, titles, notes…" aria-label="Search calls" data-testid="search" value={f.search} onChange={(e) => set('search', e.target.value)} />
      <div className="filters">
        <label>
          <span>Card</span>
          <select data-testid="filter-rule" value={f.ruleId} onChange={(e) => set('ruleId', e.target.value)}>
            <option value="">Any card</option>
            {rules.map((r) => (
              <option key={r.id} value={r.id}>
                {r.title}
              </option>
            ))}
          </select>
        </label>
        <label>
          <span>Status</span>
          <select data-testid="filter-status" value={f.status} onChange={(e) => set('status', e.target.value as Filters['status'])}>
            <option value="">Any status</option>
            {(Object.keys(STATUS_WORDS) as Status[]).map((s) => (
              <option key={s} value={s}>
                {STATUS_WORDS[s]}
              </option>
            ))}
          </select>
        </label>
        <label>
          <span>From</span>
          <input type="date" data-testid="filter-from" value={f.from} max={f.to || undefined} onChange={(e) => set('from', e.target.value)} />
        </label>
        <label className={problems.to ? 'invalid' : undefined}>
          <span>To</span>
          <input type="date" data-testid="filter-to" value={f.to} min={f.from || undefined} aria-invalid={!!problems.to} onChange={(e) => set('to', e.target.value)} />
          {fieldError('to')}
        </label>
        <label className={problems.minScore ? 'invalid' : undefined}>
          <span>Min score</span>
          <input inputMode="numeric" data-testid="filter-min-score" placeholder="0–100" value={f.minScore} aria-invalid={!!problems.minScore} onChange={(e) => set('minScore', e.target.value)} />
          {fieldError('minScore')}
        </label>
        <label>
          <span>Agent</span>
          <input data-testid="filter-agent" placeholder="anyone" value={f.agent} onChange={(e) => set('agent', e.target.value)} />
        </label>
        <label>
          <span>Sort by</span>
          <select data-testid="sort" value={f.sort} onChange={(e) => set('sort', e.target.value as Sort)}>
            <option value="date">Newest first</option>
            <option value="score">Highest score</option>
            <option value="duration">Longest</option>
          </select>
        </label>
        <span className="filter-actions">
          {filtered && (
            <button type="button" className="link" data-testid="clear-filters" onClick={() => setF((x) => ({ ...NO_FILTERS, search: x.search, sort: x.sort }))}>
              Clear filters
            </button>
          )}
        </span>
      </div>
      <div className="list-count" data-testid="call-count">
        {error ?? (invalid ? 'Fix the filter above to update the list.' : `${shownTotal} call${shownTotal === 1 ? '' : 's'}`)}
      </div>
      <VirtualRows items={shown} selected={selected} onSelect={(id) => onSelect(id, f.search.trim())} rowHeight={f.search.trim() ? ROW_WITH_SNIPPET : ROW} />
    </aside>
  );
}
