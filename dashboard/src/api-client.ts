/**
 * The HTTP API as the dashboard uses it (shared/spec/api.md): Bearer key, JSON bodies, and the
 * error shape turned into an {@link ApiError} whose `details` carry each field's message, so the
 * rule form can show them next to the fields.
 */
import type { Alert, FieldError, Rule } from '../../core/rule-model';

/** `details[]` of the error shape: `path` like `condition.value`, `channels[1].to`; empty for the body itself. */
export type { FieldError };

export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    /** HTTP status; 0 when the API could not be reached. */
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: readonly FieldError[] = [],
  ) {
    super(message);
  }
}

interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** A rule as POST /rules takes it; PATCH takes any part of it (plus `status`). */
export type RuleBody = Record<string, unknown>;

function readError(status: number, body: unknown): ApiError {
  const error = (body as { error?: { code?: unknown; message?: unknown; details?: unknown } } | null)?.error;
  const details = Array.isArray(error?.details)
    ? error.details.filter((d): d is FieldError => typeof d?.path === 'string' && typeof d?.message === 'string')
    : [];
  return new ApiError(status, typeof error?.code === 'string' ? error.code : 'http_error', typeof error?.message === 'string' ? error.message : `HTTP ${status}`, details);
}

export class ApiClient {
  constructor(
    private readonly baseUrl: string,
    private readonly key: string,
  ) {}

  async request<T>(method: 'GET' | 'POST' | 'PATCH' | 'DELETE', path: string, body?: unknown): Promise<T> {
    let response: Response;
    try {
      response = await fetch(`${this.baseUrl}${path}`, {
        method,
        headers: { Authorization: `Bearer ${this.key}`, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        // The key travels in a header: no cookies, and nothing for the browser to cache.
        credentials: 'omit',
        cache: 'no-store',
      });
    } catch {
      throw await this.unreadable();
    }
    if (response.status === 204) return undefined as T;
    const text = await response.text();
    let parsed: unknown = null;
    try {
      parsed = text === '' ? null : JSON.parse(text);
    } catch {
      parsed = null;
    }
    if (!response.ok) throw readError(response.status, parsed);
    return parsed as T;
  }

  /**
   * Why a request failed without a readable answer. API Gateway adds CORS headers only to its
   * integrations' answers, so its own refusal of a key (401 from the authorizer) reaches the page
   * as a network error. If the public `GET /health` answers, the API is reachable and most likely
   * refused the key (`key_refused`); a gateway timeout reads the same, so this never signs out.
   */
  private async unreadable(): Promise<ApiError> {
    try {
      const health = await fetch(`${this.baseUrl}/health`, { credentials: 'omit', cache: 'no-store' });
      if (health.ok) return new ApiError(0, 'key_refused', 'the API refused the request (is the key revoked?)');
    } catch {
      // Not reachable at all.
    }
    return new ApiError(0, 'network', `cannot reach the API at ${this.baseUrl}`);
  }

  /** Every rule of the owner (all pages). */
  async listRules(): Promise<Rule[]> {
    const rules: Rule[] = [];
    let cursor: string | null = null;
    do {
      const query: string = cursor === null ? '?limit=100' : `?limit=100&cursor=${encodeURIComponent(cursor)}`;
      const page: Page<Rule> = await this.request<Page<Rule>>('GET', `/rules${query}`);
      rules.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor !== null);
    return rules;
  }

  createRule(body: RuleBody): Promise<Rule> {
    return this.request<Rule>('POST', '/rules', body);
  }

  updateRule(id: string, patch: RuleBody): Promise<Rule> {
    return this.request<Rule>('PATCH', `/rules/${encodeURIComponent(id)}`, patch);
  }

  deleteRule(id: string): Promise<void> {
    return this.request<void>('DELETE', `/rules/${encodeURIComponent(id)}`);
  }

  /** The newest alerts, newest first. */
  async listAlerts(limit = 50): Promise<Alert[]> {
    return (await this.request<Page<Alert>>('GET', `/alerts?limit=${limit}`)).items;
  }

  /** Whether the key is accepted (one cheap authorized call). */
  async check(): Promise<void> {
    await this.request<Page<Rule>>('GET', '/rules?limit=1');
  }
}
