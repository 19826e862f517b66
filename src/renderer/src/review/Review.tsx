import { useEffect, useState } from 'react';
import { CallDetail } from './CallDetail';
import { CallList } from './CallList';
import { ReviewHome } from './TeamView';

export function Review({ callId, navigate }: { callId: string | null; navigate(hash: string): void }): React.JSX.Element {
  const [selected, setSelected] = useState<string | null>(callId);
  useEffect(() => setSelected(callId), [callId]);
  return (
    <div className="review">
      <CallList selected={selected} onSelect={(id) => navigate(`#/review/${encodeURIComponent(id)}`)} />
      {selected ? <CallDetail id={selected} onDeleted={() => navigate('#/review')} /> : <ReviewHome onOpen={(id) => navigate(`#/review/${encodeURIComponent(id)}`)} />}
    </div>
  );
}
