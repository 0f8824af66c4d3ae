export interface PagerProps {
  /** Zero-based page number. */
  page: number;
  /** Id of the page label, for aria-describedby on the table. */
  labelId: string;
  /** Shown after the page number, e.g. why the last fetch failed. */
  note?: string | undefined;
  busy: boolean;
  hasNext: boolean;
  onPrevious: () => void;
  onNext: () => void;
}

/** Previous/Next for cursor-paginated tables: the cursor stack lives in the page. */
export function Pager({ page, labelId, note, busy, hasNext, onPrevious, onNext }: PagerProps) {
  return (
    <nav className="pager" aria-label="Pages">
      <span id={labelId} className="muted small">
        Page {page + 1}
        {note ? ` · ${note}` : ''}
      </span>
      <div className="pager-buttons">
        <button
          type="button"
          className="btn btn-secondary btn-small"
          disabled={page === 0 || busy}
          onClick={onPrevious}
        >
          Previous
        </button>
        <button type="button" className="btn btn-secondary btn-small" disabled={!hasNext || busy} onClick={onNext}>
          Next
        </button>
      </div>
    </nav>
  );
}
