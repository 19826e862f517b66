/** The call list: search with highlighted snippets, filters, and a virtualized list of rows. */
import { useEffect, useRef, useState } from 'react';
import type { CallListItem, CallQuery } from '../../../shared/rpc';
import { clock, dateTime, snippetParts } from '../lib/format';
import { onEvent, rpc } from '../lib/rpc';

const ROW_HEIGHT = 72;
const PAGE = 500;

function Snippet({ text }: { text: string }): React.JSX.Element {
  return (
    <span className="snippet" data-testid="snippet">
      {snippetParts(text).map((p, i) => (p.hit ? <mark key={i}>{p.text}</mark> : <span key={i}>{p.text}</span>))}
    </span>
  );
}

/** Renders only the rows in view (plus a few), whatever the number of calls. */
function VirtualRows({ items, selected, onSelect }: { items: readonly CallListItem[]; selected: string | null; onSelect(id: string): void }): React.JSX.Element {
  const ref = useRef<HTMLDivElement>(null);
  const [top, setTop] = useState(0);
  const [height, setHeight] = useState(600);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const ro = new ResizeObserver(() => setHeight(el.clientHeight));
    ro.observe(el);
    return () => ro.disconnect();
  }, []);
  const first = Math.max(0, Math.floor(top / ROW_HEIGHT) - 5);
  const last = Math.min(items.length, Math.ceil((top + height) / ROW_HEIGHT) + 5);
  return (
    <div className="call-rows" ref={ref} onScroll={(e) => setTop(e.currentTarget.scrollTop)} role="listbox" aria-label="Calls">
      <div style={{ height: items.length * ROW_HEIGHT, position: 'relative' }}>
        {items.slice(first, last).map((c, i) => (
          <div
            key={c.id}
            role="option"
            aria-selected={c.id === selected}
            tabIndex={0}
            className={`call-row${c.id === selected ? ' selected' : ''}`}
            data-testid="call-row"
            data-call={c.id}
            style={{ position: 'absolute', top: (first + i) * ROW_HEIGHT, height: ROW_HEIGHT, left: 0, right: 0 }}
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
              <span>{clock(c.durationMs)}</span>
              <span className={`status status-${c.status}`}>{c.status}</span>
              {c.score !== null && <span>score {c.score}</span>}
              {c.tags.map((t) => (
                <span key={t} className="tag">
                  {t}
                </span>
              ))}
            </div>
            {c.snippet && <Snippet text={c.snippet} />}
          </div>
        ))}
      </div>
    </div>
  );
}

export function CallList({ selected, onSelect }: { selected: string | null; onSelect(id: string): void }): React.JSX.Element {
  const [search, setSearch] = useState('');
  const [rule, setRule] = useState('');
  const [tag, setTag] = useState('');
  const [minScore, setMinScore] = useState('');
  const [from, setFrom] = useState('');
  const [agent, setAgent] = useState('');
  const [items, setItems] = useState<readonly CallListItem[]>([]);
  const [total, setTotal] = useState(0);
  const [error, setError] = useState<string | null>(null);
  const [version, setVersion] = useState(0);

  useEffect(() => onEvent('calls.changed', () => setVersion((v) => v + 1)), []);

  useEffect(() => {
    const q: CallQuery = {
      limit: PAGE,
      ...(search.trim() && { search }),
      ...(rule.trim() && { ruleId: rule.trim() }),
      ...(tag.trim() && { tag: tag.trim() }),
      ...(minScore.trim() && Number.isFinite(Number(minScore)) && { minScore: Number(minScore) }),
      ...(from && { from: new Date(`${from}T00:00:00`).getTime() }),
      ...(agent.trim() && { agent: agent.trim() }),
    };
    let stale = false;
    const timer = setTimeout(() => {
      rpc()
        .call('calls.list', q)
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
  }, [search, rule, tag, minScore, from, agent, version]);

  return (
    <aside className="call-list">
      <input className="search" type="search" placeholder="Search transcripts, titles, notes…" aria-label="Search calls" data-testid="search" value={search} onChange={(e) => setSearch(e.target.value)} />
      <div className="filters">
        <input aria-label="Filter by rule" placeholder="rule id" value={rule} onChange={(e) => setRule(e.target.value)} />
        <input aria-label="Filter by tag" placeholder="tag" value={tag} onChange={(e) => setTag(e.target.value)} />
        <input aria-label="Minimum score" placeholder="min score" inputMode="numeric" value={minScore} onChange={(e) => setMinScore(e.target.value)} />
        <input aria-label="From date" type="date" value={from} onChange={(e) => setFrom(e.target.value)} />
        <input aria-label="Filter by agent" placeholder="agent" data-testid="filter-agent" value={agent} onChange={(e) => setAgent(e.target.value)} />
      </div>
      <div className="list-count" data-testid="call-count">
        {error ?? `${total} call${total === 1 ? '' : 's'}`}
      </div>
      <VirtualRows items={items} selected={selected} onSelect={onSelect} />
    </aside>
  );
}
