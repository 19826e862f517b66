/**
 * The knowledge base behind knowledge cards, as `cadence kb` offers it: documents listed with their
 * passages, added from files (Markdown, text, PDF — read and split in the app, all or nothing per file),
 * removed, and searched the way a live call would look a customer's words up.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { KB_MAX_FILE_BYTES, type KbDocumentInfo, type KbHitInfo } from '../../../shared/rpc';
import { rpc } from '../lib/rpc';

const ACCEPT = '.md,.markdown,.txt,.text,.pdf';

function base64Of(buffer: ArrayBuffer): string {
  const bytes = new Uint8Array(buffer);
  let binary = '';
  // In slices: String.fromCharCode takes its bytes as arguments, and a whole file would overflow the stack.
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

export function Knowledge(): React.JSX.Element {
  const [docs, setDocs] = useState<readonly KbDocumentInfo[] | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [message, setMessage] = useState<{ error: boolean; text: string } | null>(null);
  const [query, setQuery] = useState('');
  const [hits, setHits] = useState<readonly KbHitInfo[] | null>(null);
  const fileInput = useRef<HTMLInputElement>(null);

  const reload = useCallback(() => {
    rpc()
      .call('kb.list')
      .then(setDocs)
      .catch((err: Error) => setMessage({ error: true, text: err.message }));
  }, []);
  useEffect(reload, [reload]);

  const add = async (files: readonly File[]): Promise<void> => {
    setMessage(null);
    const added: string[] = [];
    try {
      for (const file of files) {
        if (file.size > KB_MAX_FILE_BYTES) throw new Error(`${file.name}: larger than ${KB_MAX_FILE_BYTES / 1024 / 1024} MB; add it with cadence kb add`);
        setBusy(`Reading ${file.name}…`);
        const doc = await rpc().call('kb.add', { name: file.name, base64: base64Of(await file.arrayBuffer()) });
        added.push(`${doc.name} (${doc.passages} passages)`);
      }
      setMessage({ error: false, text: `Added ${added.join(', ')}` });
    } catch (err) {
      // Files before the failing one are in; say so, so nothing is added twice.
      setMessage({ error: true, text: added.length > 0 ? `Added ${added.join(', ')}; then ${(err as Error).message}` : (err as Error).message });
    } finally {
      setBusy(null);
      if (fileInput.current) fileInput.current.value = '';
      reload();
    }
  };

  const remove = (doc: KbDocumentInfo): void => {
    setMessage(null);
    rpc()
      .call('kb.remove', { id: doc.id })
      .then(() => setMessage({ error: false, text: `Removed ${doc.name}` }))
      .catch((err: Error) => setMessage({ error: true, text: err.message }))
      .finally(reload);
  };

  const search = (text: string): void => {
    if (text.trim() === '') return setHits(null);
    rpc()
      .call('kb.search', { text })
      .then(setHits)
      .catch((err: Error) => setMessage({ error: true, text: err.message }));
  };

  return (
    <section className="settings-section" data-testid="kb-settings" aria-labelledby="kb-title">
      <h3 id="kb-title">Knowledge base</h3>
      <p className="muted">During a call, each thing the customer says is looked up here; a strong match shows the passage and its source as a card. Add product sheets, policies and FAQs as Markdown, text or PDF (up to {KB_MAX_FILE_BYTES / 1024 / 1024} MB each). Needs live transcription.</p>
      <div className="row">
        <input ref={fileInput} type="file" multiple accept={ACCEPT} data-testid="kb-file" aria-label="Add documents" disabled={busy !== null} onChange={(e) => void add(Array.from(e.target.files ?? []))} />
        {busy && (
          <span className="muted" role="status">
            {busy}
          </span>
        )}
      </div>
      {message && (
        <p className={message.error ? 'error' : 'muted'} role={message.error ? 'alert' : 'status'} data-testid="kb-message">
          {message.text}
        </p>
      )}
      {docs && docs.length === 0 && <p className="muted" data-testid="kb-empty">No documents yet.</p>}
      {docs && docs.length > 0 && (
        <table className="kb-docs" data-testid="kb-docs">
          <thead>
            <tr>
              <th scope="col">Document</th>
              <th scope="col">Passages</th>
              <th scope="col">Added</th>
              <th scope="col" aria-label="Actions" />
            </tr>
          </thead>
          <tbody>
            {docs.map((d) => (
              <tr key={d.id} data-testid="kb-doc" data-name={d.name}>
                <td>{d.name}</td>
                <td>{d.passages}</td>
                <td>{new Date(d.addedAt).toLocaleDateString()}</td>
                <td>
                  <button type="button" className="danger" aria-label={`Remove ${d.name}`} data-testid="kb-remove" onClick={() => remove(d)}>
                    Remove
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <form
        className="row"
        role="search"
        onSubmit={(e) => {
          e.preventDefault();
          search(query);
        }}
      >
        <input type="search" aria-label="Try a customer's words" placeholder="Try what a customer might say…" data-testid="kb-query" value={query} maxLength={500} onChange={(e) => setQuery(e.target.value)} />
        <button type="submit" data-testid="kb-search" disabled={query.trim() === ''}>
          Search
        </button>
      </form>
      {hits && hits.length === 0 && (
        <p className="muted" data-testid="kb-no-hit">
          Nothing matches.
        </p>
      )}
      {hits && hits.length > 0 && (
        <ol className="kb-hits" data-testid="kb-hits">
          {hits.map((h, i) => (
            <li key={i} data-testid="kb-hit">
              <strong>{h.heading}</strong> <span className="muted">({h.source})</span>
              <div>{h.text}</div>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
