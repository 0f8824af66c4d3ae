import type { RouterOutputs } from '@gatehouse/client';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useAuth } from '../auth';
import { Alert } from '../components/Alert';
import { ConfirmDialog } from '../components/ConfirmDialog';
import { LoadError, Loading, Spinner } from '../components/Loading';
import { errorMessage } from '../errors';
import { describeUserAgent, formatDateTime, formatRelative } from '../format';
import { trpc } from '../gatehouse';
import { usePageTitle } from '../page';

type Session = RouterOutputs['user']['sessions'][number];

export function Sessions() {
  usePageTitle('Sessions');
  const queryClient = useQueryClient();
  const { endSession } = useAuth();
  const sessions = useQuery(trpc.user.sessions.queryOptions());
  const [confirmAll, setConfirmAll] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);

  const revoke = useMutation(
    trpc.user.revokeSession.mutationOptions({
      onSuccess: () => {
        setNotice('The session has been revoked. That device will have to sign in again.');
        void queryClient.invalidateQueries({ queryKey: trpc.user.sessions.queryKey() });
      },
    }),
  );

  const logoutAll = useMutation(
    trpc.user.logoutAll.mutationOptions({
      onSuccess: () => void endSession('You have been signed out on every device.'),
    }),
  );

  const list = sessions.data ?? [];
  const ordered = [...list].sort(
    (a, b) => Number(b.current) - Number(a.current) || b.lastUsedAt.localeCompare(a.lastUsedAt),
  );

  return (
    <>
      <div className="page-header">
        <div>
          <h1 tabIndex={-1}>Sessions</h1>
          <p className="lead">Devices signed in to your account. Revoke any you don't recognise.</p>
        </div>
        <button
          type="button"
          className="btn btn-danger-outline"
          onClick={() => {
            logoutAll.reset();
            setConfirmAll(true);
          }}
          disabled={!sessions.data}
        >
          Sign out everywhere
        </button>
      </div>

      {notice && <Alert tone="success">{notice}</Alert>}
      {revoke.error && <Alert tone="error">Could not revoke the session. {errorMessage(revoke.error)}</Alert>}

      <section className="card card-flush" aria-labelledby="sessions-heading">
        <h2 id="sessions-heading" className="visually-hidden">
          Active sessions
        </h2>
        {sessions.isPending ? (
          <Loading label="Loading sessions…" />
        ) : sessions.error ? (
          <LoadError error={sessions.error} what="your sessions" onRetry={() => void sessions.refetch()} />
        ) : (
          <div className="table-wrap">
            <table className="table">
              <thead>
                <tr>
                  <th scope="col">Device</th>
                  <th scope="col">IP address</th>
                  <th scope="col">Signed in</th>
                  <th scope="col">Last active</th>
                  <th scope="col">
                    <span className="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {ordered.map((session) => (
                  <SessionRow
                    key={session.id}
                    session={session}
                    pending={revoke.isPending && revoke.variables?.sessionId === session.id}
                    disabled={revoke.isPending}
                    onRevoke={() => {
                      setNotice(null);
                      revoke.mutate({ sessionId: session.id });
                    }}
                  />
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>

      <ConfirmDialog
        open={confirmAll}
        title="Sign out everywhere?"
        confirmLabel="Sign out everywhere"
        pendingLabel="Signing out…"
        danger
        pending={logoutAll.isPending}
        error={logoutAll.error ? errorMessage(logoutAll.error) : null}
        onConfirm={() => logoutAll.mutate()}
        onCancel={() => setConfirmAll(false)}
      >
        <p>
          This ends all {list.length} of your sessions, including this one. Every device will have to sign in again.
        </p>
      </ConfirmDialog>
    </>
  );
}

function SessionRow(props: { session: Session; pending: boolean; disabled: boolean; onRevoke: () => void }) {
  const { session, pending, disabled, onRevoke } = props;
  const device = describeUserAgent(session.userAgent);
  return (
    <tr className={session.current ? 'row-current' : undefined}>
      <td>
        <div className="device">
          <span className="device-name">
            {device}
            {session.current && <span className="badge badge-current">This device</span>}
          </span>
          {session.userAgent && (
            <span className="device-agent" title={session.userAgent}>
              {session.userAgent}
            </span>
          )}
        </div>
      </td>
      <td className="mono">{session.ip ?? 'Unknown'}</td>
      <td className="nowrap">{formatDateTime(session.createdAt)}</td>
      <td className="nowrap">
        <time dateTime={session.lastUsedAt} title={formatDateTime(session.lastUsedAt)}>
          {formatRelative(session.lastUsedAt)}
        </time>
      </td>
      <td className="cell-actions">
        {session.current ? (
          <span className="muted small">Current</span>
        ) : (
          <button
            type="button"
            className="btn btn-secondary btn-small"
            onClick={onRevoke}
            disabled={disabled}
            aria-label={`Revoke session: ${device}, last active ${formatRelative(session.lastUsedAt)}`}
          >
            {pending && <Spinner small />}
            {pending ? 'Revoking…' : 'Revoke'}
          </button>
        )}
      </td>
    </tr>
  );
}
