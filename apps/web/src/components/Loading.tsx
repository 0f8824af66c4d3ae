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
