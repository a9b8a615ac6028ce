/**
 * Links from an in-app stack frame to its source in the project's linked repository: at the
 * event's release when the release is a commit SHA, else at the default branch. Pure, so it is
 * tested without a browser (test/repo-links.test.ts).
 */
export interface Repository {
  url: string;
  defaultBranch: string;
}

const SHA = /^[0-9a-f]{7,40}$/i;

/**
 * The path of a frame's file inside the repository: URL origins and bundler prefixes
 * (webpack://, app:///, ~/) are removed, as is a leading ./ or /. Null when nothing is left or the
 * path climbs out (..).
 */
export function repositoryPath(file: string): string | null {
  let path = file.trim();
  path = path.replace(/^[a-z][a-z0-9+.-]*:\/\/[^/]*/i, ''); // https://host, webpack://name, app://
  path = path.replace(/^\/+/, '').replace(/^(\.\/)+/, '').replace(/^~\//, '');
  path = path.split(/[?#]/)[0]!;
  if (!path || path.split('/').includes('..')) return null;
  return path;
}

export function sourceLink(repository: Repository | null | undefined, release: string | null | undefined, file: string | null | undefined, line: number | null | undefined): string | null {
  if (!repository || !file) return null;
  const path = repositoryPath(file);
  if (!path) return null;
  const ref = release && SHA.test(release) ? release : repository.defaultBranch;
  const base = repository.url.replace(/\/$/, '');
  const encodedPath = path.split('/').map(encodeURIComponent).join('/');
  const encodedRef = ref.split('/').map(encodeURIComponent).join('/');
  const host = new URL(base).hostname;
  if (host === 'bitbucket.org') return `${base}/src/${encodedRef}/${encodedPath}${line ? `#lines-${line}` : ''}`;
  if (host === 'github.com') return `${base}/blob/${encodedRef}/${encodedPath}${line ? `#L${line}` : ''}`;
  // GitLab (gitlab.com or self-hosted)
  return `${base}/-/blob/${encodedRef}/${encodedPath}${line ? `#L${line}` : ''}`;
}
