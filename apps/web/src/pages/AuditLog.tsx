import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { type ReactNode, useEffect, useMemo, useState } from 'react';
import {
  type AuditEvent,
  describeDetail,
  EVENT_LABEL,
  EVENT_TONE,
  EVENT_TYPES,
  type EventType,
  eventLabel,
  type Filters,
  NO_FILTERS,
  toInput,
} from '../audit';
import { ListState, Refreshing } from '../components/Loading';
import { Pager } from '../components/Pager';
import { RequireAdmin } from '../components/RequireAdmin';
import { errorMessage, fieldMessages } from '../errors';
import { describeUserAgent, formatDate, formatRelative, formatTime } from '../format';
import { trpc } from '../gatehouse';
import { useDebounced } from '../hooks';
import { usePageTitle } from '../page';

const PAGE_SIZE = 10;

function usernameMap(usernames: Record<string, string> | undefined): Map<number, string> {
  return new Map(Object.entries(usernames ?? {}).map(([id, name]) => [Number(id), name]));
}

export function AuditLog() {
  usePageTitle('Audit log');
  return (
    <RequireAdmin title="Audit log" what="The audit log">
      {() => <AuditTable />}
    </RequireAdmin>
  );
}

function AuditTable() {
  const [filters, setFilters] = useState<Filters>(NO_FILTERS);
  const userIdText = useDebounced(filters.userId, 300);
  // The query waits for typing to pause; what is wrong shows for what is in the box now.
  const { input } = toInput({ ...filters, userId: userIdText });
  const { problems } = toInput(filters);
  const inputKey = JSON.stringify(input);
  // Cursor pagination: cursors[i] opens page i; going back pops.
  const [cursors, setCursors] = useState<(number | null)[]>([null]);
  const page = cursors.length - 1;

  // A new filter starts again from the first page.
  // biome-ignore lint/correctness/useExhaustiveDependencies: reset when the filters change
  useEffect(() => setCursors([null]), [inputKey]);

  const events = useQuery({
    ...trpc.admin.audit.list.queryOptions({ ...input, cursor: cursors[page] ?? null, limit: PAGE_SIZE }),
    placeholderData: keepPreviousData,
  });

  const serverProblems = fieldMessages(events.error);
  const errors = {
    type: serverProblems.type,
    userId: problems.userId ?? serverProblems.userId,
    from: problems.from ?? serverProblems.from,
    to: problems.to ?? serverProblems.to,
  };
  const filtered = Object.keys(input).length > 0;
  const changed = JSON.stringify(filters) !== JSON.stringify(NO_FILTERS);
  const set = (patch: Partial<Filters>) => setFilters((current) => ({ ...current, ...patch }));

  const items = events.data?.items ?? [];
  const nextCursor = events.data?.nextCursor ?? null;
  // The server names every user the page mentions; deleted users show as their id.
  const names = useMemo(() => usernameMap(events.data?.usernames), [events.data]);

  return (
    <>
      <div className="page-header">
        <div>
          <h1 tabIndex={-1}>Audit log</h1>
          <p className="lead">Security events, newest first: sign-ins, sign-outs, admin changes and API key use.</p>
        </div>
      </div>

      <section className="card card-flush" aria-labelledby="audit-heading">
        <h2 id="audit-heading" className="visually-hidden">
          Events
        </h2>
        <search className="toolbar toolbar-filters">
          <FilterField id="audit-type" label="Event" error={errors.type}>
            <select
              id="audit-type"
              value={filters.type}
              aria-invalid={errors.type ? true : undefined}
              aria-describedby={errors.type ? 'audit-type-error' : undefined}
              onChange={(event) => set({ type: event.target.value as EventType | '' })}
            >
              <option value="">All events</option>
              {EVENT_TYPES.map((type) => (
                <option key={type} value={type}>
                  {EVENT_LABEL[type]}
                </option>
              ))}
            </select>
          </FilterField>
          <FilterField id="audit-user" label="User ID" error={errors.userId}>
            <input
              id="audit-user"
              className="input-narrow"
              inputMode="numeric"
              autoComplete="off"
              placeholder="Any"
              value={filters.userId}
              aria-invalid={errors.userId ? true : undefined}
              aria-describedby={errors.userId ? 'audit-user-error' : undefined}
              onChange={(event) => set({ userId: event.target.value })}
            />
          </FilterField>
          <FilterField id="audit-from" label="From" error={errors.from}>
            <input
              id="audit-from"
              type="date"
              value={filters.from}
              max={filters.to || undefined}
              aria-invalid={errors.from ? true : undefined}
              aria-describedby={errors.from ? 'audit-from-error' : undefined}
              onChange={(event) => set({ from: event.target.value })}
            />
          </FilterField>
          <FilterField id="audit-to" label="To" error={errors.to}>
            <input
              id="audit-to"
              type="date"
              value={filters.to}
              min={filters.from || undefined}
              aria-invalid={errors.to ? true : undefined}
              aria-describedby={errors.to ? 'audit-to-error' : 'audit-to-hint'}
              onChange={(event) => set({ to: event.target.value })}
            />
            <span id="audit-to-hint" className="visually-hidden">
              Includes the whole day.
            </span>
          </FilterField>
          {changed && (
            <button
              type="button"
              className="btn btn-ghost btn-small toolbar-clear"
              onClick={() => setFilters(NO_FILTERS)}
            >
              Clear filters
            </button>
          )}
          <Refreshing query={events} />
        </search>

        <ListState
          query={events}
          loading="Loading events…"
          what="the audit log"
          empty={items.length > 0 ? null : filtered ? 'No events match these filters.' : 'No events recorded yet.'}
        >
          <div className="table-wrap">
            <table className="table table-compact table-audit" aria-describedby="audit-page">
              <thead>
                <tr>
                  <th scope="col">Time</th>
                  <th scope="col">Event</th>
                  <th scope="col">Actor</th>
                  <th scope="col">Target</th>
                  <th scope="col">IP address</th>
                  <th scope="col">Device</th>
                  <th scope="col">Details</th>
                </tr>
              </thead>
              <tbody>
                {items.map((event) => (
                  <EventRow key={event.id} event={event} names={names} />
                ))}
              </tbody>
            </table>
          </div>
        </ListState>

        <Pager
          page={page}
          labelId="audit-page"
          note={events.error && events.data ? errorMessage(events.error) : undefined}
          busy={events.isFetching}
          hasNext={nextCursor !== null}
          onPrevious={() => setCursors((c) => c.slice(0, -1))}
          onNext={() => setCursors((c) => [...c, nextCursor])}
        />
      </section>
    </>
  );
}

/** A toolbar filter: label, control and, under them, the control's error. */
function FilterField({
  id,
  label,
  error,
  children,
}: {
  id: string;
  label: string;
  error: string | undefined;
  children: ReactNode;
}) {
  return (
    <div className={`filter${error ? ' field-invalid' : ''}`}>
      <div className="field field-inline">
        <label htmlFor={id}>{label}</label>
        {children}
      </div>
      {error && (
        <p id={`${id}-error`} className="field-error">
          {error}
        </p>
      )}
    </div>
  );
}

function Party({
  userId,
  apiKeyId,
  names,
}: {
  userId: number | null;
  apiKeyId?: string | null;
  names?: Map<number, string>;
}) {
  if (userId !== null) {
    const name = names?.get(userId);
    return name ? (
      <span className="party">
        <span className="party-name">{name}</span>
        <span className="muted small">#{userId}</span>
      </span>
    ) : (
      <span className="party">User #{userId}</span>
    );
  }
  if (apiKeyId) {
    return (
      <span className="party">
        <span className="muted small">API key</span>
        <span className="mono">gh_{apiKeyId}</span>
      </span>
    );
  }
  return (
    <span className="muted" title="None">
      —
    </span>
  );
}

function EventRow({ event, names }: { event: AuditEvent; names: Map<number, string> | undefined }) {
  const tone = EVENT_TONE[event.type] ?? 'neutral';
  // A refused key acted (or tried to); a created or revoked key is what the admin acted on.
  const keyIsActor = event.type === 'api_key_denied';
  const details = describeDetail(event.type, event.detail);
  return (
    <tr>
      <td>
        <time className="when" dateTime={event.at} title={formatRelative(event.at)}>
          <span>{formatDate(event.at)}</span>
          <span className="muted small">{formatTime(event.at)}</span>
        </time>
      </td>
      <td className="nowrap">
        <span className={`badge badge-plain badge-${tone}`}>{eventLabel(event.type)}</span>
      </td>
      <td>
        <Party userId={event.actorUserId} apiKeyId={keyIsActor ? event.apiKeyId : null} names={names} />
      </td>
      <td>
        <Party userId={event.targetUserId} apiKeyId={keyIsActor ? null : event.apiKeyId} names={names} />
      </td>
      <td className="mono nowrap">{event.ip ?? <span className="muted">—</span>}</td>
      <td className="nowrap">
        {event.userAgent ? (
          <span className="agent" title={event.userAgent}>
            {describeUserAgent(event.userAgent)}
          </span>
        ) : (
          <span className="muted">—</span>
        )}
      </td>
      <td className="cell-details">{details.length ? details.join(' · ') : <span className="muted">—</span>}</td>
    </tr>
  );
}
