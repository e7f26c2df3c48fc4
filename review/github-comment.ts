/**
 * Creates the review comment on a pull request, or updates the one already there (found by
 * its marker), through the GitHub REST API. The token goes in the Authorization header only;
 * no message, error or log line carries it.
 */
import { COMMENT_MARKER } from './pr-comment';

export interface UpsertOptions {
  /** e.g. `https://api.github.com` (GITHUB_API_URL). */
  readonly apiUrl: string;
  /** `owner/name` (GITHUB_REPOSITORY). */
  readonly repository: string;
  readonly pullRequest: number;
  readonly token: string;
  readonly body: string;
  /** @default COMMENT_MARKER */
  readonly marker?: string;
}

export interface UpsertResult {
  readonly action: 'created' | 'updated';
  readonly url: string;
}

interface IssueComment {
  readonly id: number;
  readonly body?: string;
  readonly html_url: string;
}

export async function upsertComment(options: UpsertOptions): Promise<UpsertResult> {
  const marker = options.marker ?? COMMENT_MARKER;
  if (!options.body.includes(marker)) throw new Error('the comment body lacks the review marker, so the next run could not find it to update');
  const base = `${options.apiUrl.replace(/\/$/, '')}/repos/${options.repository}`;
  const headers = {
    authorization: `Bearer ${options.token}`,
    accept: 'application/vnd.github+json',
    'x-github-api-version': '2022-11-28',
    'content-type': 'application/json',
  };
  const call = async <T>(method: string, url: string, body?: unknown): Promise<T> => {
    const response = await fetch(url, { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
    const text = await response.text();
    if (!response.ok) {
      const message = (() => {
        try {
          return (JSON.parse(text) as { message?: string }).message ?? text;
        } catch {
          return text;
        }
      })();
      throw new Error(`GitHub API ${method} ${url.replace(base, `repos/${options.repository}`)} answered ${response.status}: ${message.slice(0, 200)}`);
    }
    return JSON.parse(text) as T;
  };

  for (let page = 1; ; page++) {
    const comments = await call<IssueComment[]>('GET', `${base}/issues/${options.pullRequest}/comments?per_page=100&page=${page}`);
    const existing = comments.find((c) => c.body?.includes(marker));
    if (existing) {
      const updated = await call<IssueComment>('PATCH', `${base}/issues/comments/${existing.id}`, { body: options.body });
      return { action: 'updated', url: updated.html_url };
    }
    if (comments.length < 100) break;
  }
  const created = await call<IssueComment>('POST', `${base}/issues/${options.pullRequest}/comments`, { body: options.body });
  return { action: 'created', url: created.html_url };
}
