import { ApiError } from '../api.js';

export function Loading({ label = 'Loading…' }: { label?: string }) {
  return (
    <p class="loading" role="status">
      {label}
    </p>
  );
}

export function ErrorBox({ error }: { error: Error }) {
  const code = error instanceof ApiError ? ` (${error.status} ${error.code})` : '';
  return (
    <div class="error-box" role="alert">
      {error.message}
      {code}
    </div>
  );
}
