/**
 * A delete button that asks first (the browser's confirm dialog, which names what goes and that it
 * cannot be undone), then sends the DELETE and reports a refusal in place.
 */
import { useState } from 'preact/hooks';
import { api } from '../api.js';
import { ErrorBox } from './status.js';

export function DeleteButton({ label, question, path, onDeleted, testid }: { label: string; question: string; path: string; onDeleted: () => void; testid?: string }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error | null>(null);
  return (
    <>
      <button
        type="button"
        class="danger"
        data-testid={testid}
        disabled={busy}
        onClick={async () => {
          if (!confirm(question)) return;
          setBusy(true);
          setError(null);
          try {
            await api(path, { method: 'DELETE' });
            onDeleted();
          } catch (err) {
            setError(err as Error);
          } finally {
            setBusy(false);
          }
        }}
      >
        {label}
      </button>
      {error && <ErrorBox error={error} />}
    </>
  );
}
