/**
 * What the user-query runners of every dialect share (connectors/<dialect>/user-query.ts): the bounds, the failure a
 * user sees, the runner's shape. activities/user-queries.ts documents the layers a user's query goes through.
 */
import type { LexOptions } from './dialect';

export interface UserQueryLimits {
  /** Per query and side, enforced inside the server. */
  timeoutMs: number;
  /** Rows a query may return per side; one more fails it. */
  maxRows: number;
}

/** A user query that returned no rows to compare: refused by a guard, over a bound, or the database's error. */
export class UserQueryFailure extends Error {}

/** How long past the server's own timeout the backstop waits before it cancels the query itself. */
const BACKSTOP_GRACE_MS = 5_000;
/** How long closing a connection may take after a query was abandoned (the socket is left to the OS after). */
const CLOSE_WAIT_MS = 2_000;

/** Layers 2–5 for one statement: what the database enforces, without the lexical check. */
export interface ReadOnlyRunner {
  /** The session's literal rules, for the lexical check. */
  lex: LexOptions;
  run(statement: string): Promise<unknown[][]>;
  close(): Promise<void>;
}

export function overCap(maxRows: number): UserQueryFailure {
  return new UserQueryFailure(`returned more than ${maxRows} rows, the cap (options.validation.max_query_rows): narrow the query or raise the cap`);
}

export function timedOut(limits: UserQueryLimits): UserQueryFailure {
  return new UserQueryFailure(`timed out after ${limits.timeoutMs / 1000} s (options.validation.query_timeout_seconds)`);
}

/** The server stops a query at the timeout; this stops waiting for one that does not, and has it cancelled. */
export async function withBackstop<T>(work: Promise<T>, limits: UserQueryLimits, cancel: () => Promise<void>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      cancel().catch(() => undefined);
      reject(timedOut(limits));
    }, limits.timeoutMs + BACKSTOP_GRACE_MS);
  });
  try {
    return await Promise.race([work, late]);
  } finally {
    clearTimeout(timer);
  }
}

export async function closeWithin(close: () => Promise<unknown>): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([close().catch(() => undefined), new Promise((resolve) => (timer = setTimeout(resolve, CLOSE_WAIT_MS)))]);
  clearTimeout(timer);
}
