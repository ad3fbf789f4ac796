/**
 * Argo's retryStrategy: `limit` retries after the first attempt (no limit: retry forever),
 * `retryPolicy` choosing which phases are retried (default OnFailure), and `backoff`
 * (`duration` × `factor`^n, bounded by `maxDuration` since the first attempt).
 */
import { parseDuration } from './duration.js';
import { intOrString, isObj, obj, str } from './spec.js';

export interface RetryStrategy {
  readonly limit: number;
  readonly policy: 'Always' | 'OnFailure' | 'OnError' | 'OnTransientError';
  readonly durationMs: number;
  readonly factor: number;
  readonly maxDurationMs?: number;
}

export type RetryParse = { strategy?: RetryStrategy } | { error: string };

export function parseRetryStrategy(v: unknown): RetryParse {
  if (!isObj(v)) return {};
  const limit = v['limit'] === undefined ? Infinity : intOrString(v['limit']);
  if (limit === undefined || limit < 0) return { error: `retryStrategy.limit ${JSON.stringify(v['limit'])} is not a non-negative integer` };
  const policy = str(v['retryPolicy']) ?? 'OnFailure';
  if (policy !== 'Always' && policy !== 'OnFailure' && policy !== 'OnError' && policy !== 'OnTransientError') {
    return { error: `retryStrategy.retryPolicy "${policy}" is not one of Always, OnFailure, OnError, OnTransientError` };
  }
  const backoff = obj(v['backoff']);
  const durationMs = backoff['duration'] === undefined ? 0 : parseDuration(backoff['duration']);
  if (durationMs === undefined) return { error: `retryStrategy.backoff.duration ${JSON.stringify(backoff['duration'])} is not a duration` };
  const factor = intOrString(backoff['factor']) ?? 1;
  const maxDurationMs = parseDuration(backoff['maxDuration']);
  return { strategy: { limit, policy, durationMs, factor, ...(maxDurationMs !== undefined ? { maxDurationMs } : {}) } };
}

/**
 * After failed attempt number `attempt` (1-based) with `phase`: how long to wait before the
 * next one, or why not to retry.
 */
export function nextRetry(s: RetryStrategy, phase: 'Failed' | 'Error', attempt: number, elapsedMs: number): { waitMs: number } | { stop: string } {
  const retried = s.policy === 'Always' || (s.policy === 'OnFailure' ? phase === 'Failed' : phase === 'Error');
  if (!retried) return { stop: '' };
  if (attempt > s.limit) return { stop: 'No more retries left' };
  const waitMs = s.durationMs * s.factor ** (attempt - 1);
  if (s.maxDurationMs !== undefined && elapsedMs + waitMs > s.maxDurationMs) return { stop: 'Max duration limit exceeded' };
  return { waitMs };
}
