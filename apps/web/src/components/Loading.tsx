import type { ReactNode } from 'react';
import { errorMessage } from '../errors';

export function Spinner({ small }: { small?: boolean }) {
  return <span className={`spinner${small ? ' spinner-small' : ''}`} aria-hidden="true" />;
}

export function Loading({ label }: { label: string }) {
  return (
    <div className="loading" role="status">
      <Spinner />
      <span>{label}</span>
    </div>
  );
}

/** A failed load, with the reason and a way to try again. */
export function LoadError({ error, what, onRetry }: { error: unknown; what: string; onRetry?: () => void }) {
  return (
    <div className="load-error" role="alert">
      <p>
        <strong>Could not load {what}.</strong> {errorMessage(error)}
      </p>
      {onRetry && (
        <button type="button" className="btn btn-secondary btn-small" onClick={onRetry}>
          Try again
        </button>
      )}
    </div>
  );
}

/** The parts of a react-query result the list helpers below read. */
interface ListQuery {
  isPending: boolean;
  isFetching: boolean;
  error: unknown;
  data: unknown;
  refetch: () => unknown;
}

/** Says a list already on screen is loading again. */
export function Refreshing({ query }: { query: ListQuery }) {
  if (!query.isFetching || query.isPending) return null;
  return (
    <span className="toolbar-status" role="status">
      <Spinner small /> Updating…
    </span>
  );
}

/**
 * A list's states: loading, a failed first load (after a failed reload the list stays and the
 * pager says why), nothing to show (`empty` is then the note to show), or the list.
 */
export function ListState({
  query,
  loading,
  what,
  empty,
  children,
}: {
  query: ListQuery;
  loading: string;
  what: string;
  empty: string | null;
  children: ReactNode;
}) {
  if (query.isPending) return <Loading label={loading} />;
  if (query.error && !query.data) {
    return <LoadError error={query.error} what={what} onRetry={() => void query.refetch()} />;
  }
  if (empty !== null) return <p className="empty-row">{empty}</p>;
  return children;
}
