import type { RouterInputs, RouterOutputs } from '@gatehouse/client';
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type ReactNode, useEffect, useState } from 'react';
import { Alert } from '../components/Alert';
import { ConfirmDialog } from '../components/ConfirmDialog';
import { EmailStatus } from '../components/EmailStatus';
import { ListState, Refreshing } from '../components/Loading';
import { Pager } from '../components/Pager';
import { RequireAdmin } from '../components/RequireAdmin';
import { useEmailOptions } from '../email-options';
import { errorMessage } from '../errors';
import { formatDate } from '../format';
import { trpc } from '../gatehouse';
import { useDebounced } from '../hooks';
import { usePageTitle } from '../page';

type User = RouterOutputs['admin']['users']['list']['items'][number];
type Role = RouterInputs['admin']['users']['setRole']['role'];

const ROLES: Role[] = ['admin', 'user', 'viewer'];
const ROLE_HELP: Record<Role, string> = {
  admin: 'can manage every user',
  user: 'can use the app and manage their own account',
  viewer: 'has read-only access',
};
const ROLE_LABEL: Record<Role, string> = { admin: 'Admin', user: 'User', viewer: 'Viewer' };
const PAGE_SIZE = 8;

type Action =
  | { kind: 'role'; user: User; role: Role }
  | { kind: 'active'; user: User; active: boolean }
  | { kind: 'delete'; user: User }
  | { kind: 'reset'; user: User };

type Verified = '' | 'yes' | 'no';

export function Admin() {
  usePageTitle('Users');
  return (
    <RequireAdmin title="Users" what="User administration">
      {(me) => <UserAdmin myId={me.id} />}
    </RequireAdmin>
  );
}

function UserAdmin({ myId }: { myId: number }) {
  const queryClient = useQueryClient();
  const [searchText, setSearchText] = useState('');
  const search = useDebounced(searchText.trim(), 300);
  const [role, setRole] = useState<Role | ''>('');
  const [verified, setVerified] = useState<Verified>('');
  const canReset = useEmailOptions()?.passwordReset === true;
  // Cursor pagination: cursors[i] opens page i; going back pops.
  const [cursors, setCursors] = useState<(number | null)[]>([null]);
  const page = cursors.length - 1;
  // The dialog's action outlives its closing, so the dialog can close (and return focus) in place.
  const [action, setAction] = useState<Action | null>(null);
  const [dialogOpen, setDialogOpen] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);

  // A new filter starts again from the first page.
  // biome-ignore lint/correctness/useExhaustiveDependencies: reset when the filters change
  useEffect(() => setCursors([null]), [search, role, verified]);

  const users = useQuery({
    ...trpc.admin.users.list.queryOptions({
      cursor: cursors[page] ?? null,
      limit: PAGE_SIZE,
      ...(search ? { search } : {}),
      ...(role ? { role } : {}),
      ...(verified ? { emailVerified: verified === 'yes' } : {}),
    }),
    placeholderData: keepPreviousData,
  });

  const done = (message: string) => {
    setDialogOpen(false);
    setNotice(message);
    void queryClient.invalidateQueries({ queryKey: trpc.admin.users.list.pathKey() });
    void queryClient.invalidateQueries({ queryKey: trpc.user.me.queryKey() });
  };
  const setUserRole = useMutation(
    trpc.admin.users.setRole.mutationOptions({
      onSuccess: (user) => done(`${user.username} is now ${user.role === 'admin' ? 'an' : 'a'} ${user.role}.`),
    }),
  );
  const setActive = useMutation(
    trpc.admin.users.setActive.mutationOptions({
      onSuccess: (user) =>
        done(
          user.isActive
            ? `${user.username} has been reactivated.`
            : `${user.username} has been deactivated and signed out everywhere.`,
        ),
    }),
  );
  const remove = useMutation(
    trpc.admin.users.delete.mutationOptions({
      onSuccess: () => done(`${action?.user.username ?? 'The user'} has been deleted.`),
    }),
  );
  const sendReset = useMutation(
    trpc.admin.users.sendPasswordReset.mutationOptions({
      onSuccess: () => done(`A password reset link is on its way to ${action?.user.email ?? 'the user'}.`),
    }),
  );
  const mutations = { role: setUserRole, active: setActive, delete: remove, reset: sendReset };
  const mutation = mutations[action?.kind ?? 'delete'];

  const open = (next: Action) => {
    for (const each of Object.values(mutations)) each.reset();
    setNotice(null);
    setAction(next);
    setDialogOpen(true);
  };

  const confirm = () => {
    if (!action) return;
    const userId = action.user.id;
    if (action.kind === 'role') setUserRole.mutate({ userId, role: action.role });
    else if (action.kind === 'active') setActive.mutate({ userId, active: action.active });
    else if (action.kind === 'reset') sendReset.mutate({ userId });
    else remove.mutate({ userId });
  };

  const items = users.data?.items ?? [];
  const nextCursor = users.data?.nextCursor ?? null;

  return (
    <>
      <div className="page-header">
        <div>
          <h1 tabIndex={-1}>Users</h1>
          <p className="lead">Find accounts, change roles, and deactivate or delete users.</p>
        </div>
      </div>

      {notice && <Alert tone="success">{notice}</Alert>}

      <section className="card card-flush" aria-labelledby="users-heading">
        <h2 id="users-heading" className="visually-hidden">
          All users
        </h2>
        <search className="toolbar">
          <div className="field field-inline">
            <label htmlFor="user-search">Search</label>
            <input
              id="user-search"
              type="search"
              placeholder="Username or email"
              value={searchText}
              onChange={(event) => setSearchText(event.target.value)}
            />
          </div>
          <div className="field field-inline">
            <label htmlFor="role-filter">Role</label>
            <select id="role-filter" value={role} onChange={(event) => setRole(event.target.value as Role | '')}>
              <option value="">All roles</option>
              {ROLES.map((r) => (
                <option key={r} value={r}>
                  {ROLE_LABEL[r]}
                </option>
              ))}
            </select>
          </div>
          <div className="field field-inline">
            <label htmlFor="verified-filter">Email</label>
            <select
              id="verified-filter"
              value={verified}
              onChange={(event) => setVerified(event.target.value as Verified)}
            >
              <option value="">Any</option>
              <option value="yes">Verified</option>
              <option value="no">Not verified</option>
            </select>
          </div>
          <Refreshing query={users} />
        </search>

        <ListState
          query={users}
          loading="Loading users…"
          what="users"
          empty={
            items.length > 0
              ? null
              : search || role || verified
                ? 'No users match these filters.'
                : 'No users on this page.'
          }
        >
          <div className="table-wrap">
            <table className="table" aria-describedby="users-page">
              <thead>
                <tr>
                  <th scope="col">User</th>
                  <th scope="col">Email</th>
                  <th scope="col">Role</th>
                  <th scope="col">Status</th>
                  <th scope="col">Joined</th>
                  <th scope="col">
                    <span className="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {items.map((user) => (
                  <UserRow key={user.id} user={user} isMe={user.id === myId} canReset={canReset} onAction={open} />
                ))}
              </tbody>
            </table>
          </div>
        </ListState>

        <Pager
          page={page}
          labelId="users-page"
          note={users.error && users.data ? errorMessage(users.error) : undefined}
          busy={users.isFetching}
          hasNext={nextCursor !== null}
          onPrevious={() => setCursors((c) => c.slice(0, -1))}
          onNext={() => setCursors((c) => [...c, nextCursor])}
        />
      </section>

      {action && (
        <ConfirmDialog
          open={dialogOpen}
          {...dialogText(action)}
          danger={action.kind === 'delete' || (action.kind === 'active' && !action.active)}
          pending={mutation.isPending}
          error={mutation.error ? errorMessage(mutation.error) : null}
          onConfirm={confirm}
          onCancel={() => setDialogOpen(false)}
        />
      )}
    </>
  );
}

function dialogText(action: Action): {
  title: string;
  confirmLabel: string;
  pendingLabel: string;
  children: ReactNode;
} {
  const name = <strong>{action.user.username}</strong>;
  switch (action.kind) {
    case 'role':
      return {
        title: 'Change role?',
        confirmLabel: `Make ${action.role}`,
        pendingLabel: 'Changing…',
        children: (
          <p>
            Change {name} from <strong>{action.user.role}</strong> to <strong>{action.role}</strong>? A {action.role}{' '}
            {ROLE_HELP[action.role]}. It takes effect on their next request.
          </p>
        ),
      };
    case 'active':
      return action.active
        ? {
            title: 'Reactivate user?',
            confirmLabel: 'Reactivate',
            pendingLabel: 'Reactivating…',
            children: <p>Reactivate {name}? They will be able to sign in again.</p>,
          }
        : {
            title: 'Deactivate user?',
            confirmLabel: 'Deactivate',
            pendingLabel: 'Deactivating…',
            children: <p>Deactivate {name}? They are signed out everywhere and cannot sign in until reactivated.</p>,
          };
    case 'reset':
      return {
        title: 'Send a reset link?',
        confirmLabel: 'Send reset link',
        pendingLabel: 'Sending…',
        children: (
          <p>
            Mail {name} a link to set a new password at <strong>{action.user.email}</strong>? It works for 30 minutes;
            their password stays as it is until they use it.
          </p>
        ),
      };
    case 'delete':
      return {
        title: 'Delete user?',
        confirmLabel: 'Delete user',
        pendingLabel: 'Deleting…',
        children: (
          <p>
            Delete {name} ({action.user.email}) and all of their sessions? This cannot be undone.
          </p>
        ),
      };
  }
}

interface UserRowProps {
  user: User;
  isMe: boolean;
  canReset: boolean;
  onAction: (action: Action) => void;
}

function UserRow({ user, isMe, canReset, onAction }: UserRowProps) {
  return (
    <tr className={user.isActive ? undefined : 'row-muted'}>
      <td>
        <div className="user-cell">
          <span className="avatar" aria-hidden="true">
            {(user.fullName || user.username).charAt(0).toUpperCase()}
          </span>
          <span>
            <span className="user-name">
              {user.fullName || user.username}
              {isMe && <span className="badge badge-current">You</span>}
            </span>
            <span className="muted small">@{user.username}</span>
          </span>
        </div>
      </td>
      <td className="nowrap">
        <span className="email-cell">
          {user.email}
          <span className="email-meta">
            <EmailStatus verified={user.emailVerified} />
            {canReset && (
              <button
                type="button"
                className="link-button"
                aria-label={`Send ${user.username} a password reset link`}
                onClick={() => onAction({ kind: 'reset', user })}
              >
                Send reset link
              </button>
            )}
          </span>
        </span>
      </td>
      <td>
        <select
          className="select-compact"
          aria-label={`Role of ${user.username}`}
          value={user.role}
          onChange={(event) => onAction({ kind: 'role', user, role: event.target.value as Role })}
        >
          {ROLES.map((r) => (
            <option key={r} value={r}>
              {ROLE_LABEL[r]}
            </option>
          ))}
        </select>
      </td>
      <td className="nowrap">
        <span className={`status ${user.isActive ? 'status-active' : 'status-inactive'}`}>
          {user.isActive ? 'Active' : 'Deactivated'}
        </span>
      </td>
      <td className="nowrap">{formatDate(user.createdAt)}</td>
      <td className="cell-actions">
        <button
          type="button"
          className="btn btn-secondary btn-small"
          aria-label={`${user.isActive ? 'Deactivate' : 'Reactivate'} ${user.username}`}
          onClick={() => onAction({ kind: 'active', user, active: !user.isActive })}
        >
          {user.isActive ? 'Deactivate' : 'Reactivate'}
        </button>
        <button
          type="button"
          className="btn btn-danger-outline btn-small"
          aria-label={`Delete ${user.username}`}
          onClick={() => onAction({ kind: 'delete', user })}
        >
          Delete
        </button>
      </td>
    </tr>
  );
}
