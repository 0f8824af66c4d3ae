import type { RouterInputs, RouterOutputs } from '@gatehouse/client';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useEffect, useId, useRef, useState } from 'react';
import { startOfDay } from '../audit';
import { Alert } from '../components/Alert';
import { ConfirmDialog } from '../components/ConfirmDialog';
import { Field } from '../components/Field';
import { ListState, Refreshing, Spinner } from '../components/Loading';
import { RequireAdmin } from '../components/RequireAdmin';
import { errorMessage, fieldMessages, formMessage } from '../errors';
import { formatDate, formatDateTime, formatRelative } from '../format';
import { gatehouse, trpc } from '../gatehouse';
import { usePageTitle } from '../page';
import { useStepUp } from '../step-up';

type ApiKey = RouterOutputs['admin']['apiKeys']['list']['items'][number];
type Scope = RouterInputs['admin']['apiKeys']['create']['scopes'][number];

/** Every scope, with what it lets a service do; a Record so a new scope fails the build here. */
const SCOPE_HELP: Record<Scope, string> = {
  'tokens:introspect': "Check users' access tokens (service.introspect)",
  'users:read': 'Look up users by id (service.users.get)',
};
const SCOPES = Object.keys(SCOPE_HELP) as Scope[];
const FIELDS = ['name', 'scopes', 'expiresAt'];

export function ApiKeys() {
  usePageTitle('API keys');
  return (
    <RequireAdmin title="API keys" what="API key management">
      {() => <ApiKeyAdmin />}
    </RequireAdmin>
  );
}

function keyStatus(key: ApiKey, now: number): { label: string; className: string } {
  if (key.revokedAt) return { label: 'Revoked', className: 'status-inactive' };
  if (key.expiresAt && Date.parse(key.expiresAt) <= now) return { label: 'Expired', className: 'status-inactive' };
  return { label: 'Active', className: 'status-active' };
}

function ApiKeyAdmin() {
  const queryClient = useQueryClient();
  const keys = useQuery(trpc.admin.apiKeys.list.queryOptions());
  // The new key lives in this component's state only (not in any cache) and goes with it.
  const [created, setCreated] = useState<{ name: string; key: string } | null>(null);
  const [target, setTarget] = useState<ApiKey | null>(null);
  const [dialogOpen, setDialogOpen] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);

  const revoke = useMutation(
    trpc.admin.apiKeys.revoke.mutationOptions({
      onSuccess: (key) => {
        setDialogOpen(false);
        setNotice(`“${key.name}” has been revoked. Services using it are refused from now on.`);
        void queryClient.invalidateQueries({ queryKey: trpc.admin.apiKeys.list.queryKey() });
      },
    }),
  );

  const openRevoke = (key: ApiKey) => {
    revoke.reset();
    setNotice(null);
    setTarget(key);
    setDialogOpen(true);
  };

  const items = keys.data?.items ?? [];
  const now = Date.now();

  return (
    <>
      <div className="page-header">
        <div>
          <h1 tabIndex={-1}>API keys</h1>
          <p className="lead">
            Keys let other services call Gatehouse. Give each service its own key and only the scopes it needs.
          </p>
        </div>
      </div>

      {created ? (
        <NewKey name={created.name} secret={created.key} onDone={() => setCreated(null)} />
      ) : (
        <CreateKeyForm
          onCreated={(name, key) => {
            setNotice(null);
            setCreated({ name, key });
          }}
        />
      )}

      {notice && (
        <Alert tone="success" className="page-notice">
          {notice}
        </Alert>
      )}

      <section className="card card-flush" aria-labelledby="keys-heading">
        <div className="card-heading">
          <h2 id="keys-heading">Keys</h2>
          <Refreshing query={keys} />
        </div>
        <ListState
          query={keys}
          loading="Loading API keys…"
          what="API keys"
          empty={items.length > 0 ? null : 'No API keys yet. Create one above when a service needs to call Gatehouse.'}
        >
          <div className="table-wrap">
            <table className="table table-compact">
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Key</th>
                  <th scope="col">Scopes</th>
                  <th scope="col">Created</th>
                  <th scope="col">Expires</th>
                  <th scope="col">Last used</th>
                  <th scope="col">Status</th>
                  <th scope="col">
                    <span className="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {items.map((key) => {
                  const status = keyStatus(key, now);
                  return (
                    <tr key={key.id} className={status.label === 'Active' ? undefined : 'row-muted'}>
                      <td>
                        <span className="user-name">{key.name}</span>
                      </td>
                      <td className="mono nowrap" title="The key's public id; the secret is never shown again">
                        {key.prefix}
                      </td>
                      <td>
                        <span className="scope-list">
                          {key.scopes.map((scope) => (
                            <span key={scope} className="badge badge-plain badge-scope">
                              {scope}
                            </span>
                          ))}
                        </span>
                      </td>
                      <td className="nowrap">{formatDate(key.createdAt)}</td>
                      <td className="nowrap">
                        {key.expiresAt ? (
                          <time dateTime={key.expiresAt} title={formatDateTime(key.expiresAt)}>
                            {formatDate(key.expiresAt)}
                          </time>
                        ) : (
                          <span className="muted">Never</span>
                        )}
                      </td>
                      <td className="nowrap">
                        {key.lastUsedAt ? (
                          <time dateTime={key.lastUsedAt} title={formatDateTime(key.lastUsedAt)}>
                            {formatRelative(key.lastUsedAt)}
                          </time>
                        ) : (
                          <span className="muted">Never</span>
                        )}
                      </td>
                      <td className="nowrap">
                        <span className={`status ${status.className}`}>{status.label}</span>
                        {key.revokedAt && <span className="muted small status-when">{formatDate(key.revokedAt)}</span>}
                      </td>
                      <td className="cell-actions">
                        {!key.revokedAt && (
                          <button
                            type="button"
                            className="btn btn-danger-outline btn-small"
                            aria-label={`Revoke ${key.name}`}
                            onClick={() => openRevoke(key)}
                          >
                            Revoke
                          </button>
                        )}
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        </ListState>
        {keys.error && keys.data && <Alert tone="error">{errorMessage(keys.error)}</Alert>}
      </section>

      {target && (
        <ConfirmDialog
          open={dialogOpen}
          title="Revoke API key?"
          confirmLabel="Revoke key"
          pendingLabel="Revoking…"
          danger
          pending={revoke.isPending}
          error={revoke.error ? errorMessage(revoke.error) : null}
          onConfirm={() => revoke.mutate({ id: target.id })}
          onCancel={() => setDialogOpen(false)}
        >
          <p>
            Revoke <strong>{target.name}</strong> (<span className="mono">{target.prefix}</span>)? Services using it are
            refused at once. This cannot be undone.
          </p>
        </ConfirmDialog>
      )}
    </>
  );
}

function today(): string {
  const now = new Date();
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}

function CreateKeyForm({ onCreated }: { onCreated: (name: string, key: string) => void }) {
  const queryClient = useQueryClient();
  const [name, setName] = useState('');
  const [scopes, setScopes] = useState<Scope[]>([]);
  const [expires, setExpires] = useState('');
  const form = useRef<HTMLFormElement>(null);
  const scopesId = useId();

  // A key outlives the admin's session: the server wants a recent sign-in to make one.
  const { withStepUp, dialog } = useStepUp();
  const create = useMutation({
    mutationFn: (input: RouterInputs['admin']['apiKeys']['create']) =>
      withStepUp(() => gatehouse.trpc.admin.apiKeys.create.mutate(input)),
    // The answer holds the secret: drop it from the mutation cache as soon as nothing watches it.
    gcTime: 0,
    onSuccess: (created) => {
      void queryClient.invalidateQueries({ queryKey: trpc.admin.apiKeys.list.queryKey() });
      onCreated(created.name, created.key);
    },
  });

  useEffect(() => {
    if (create.error) form.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
  }, [create.error]);

  const errors = fieldMessages(create.error);
  const message = formMessage(create.error, FIELDS);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    // The key works through the chosen day: it expires at its last second, here.
    const end = expires ? startOfDay(expires, 1) : null;
    create.mutate({ name, scopes, expiresAt: end ? new Date(end.getTime() - 1000).toISOString() : null });
  };

  const toggle = (scope: Scope, on: boolean) =>
    setScopes((current) => (on ? [...current, scope] : current.filter((s) => s !== scope)));

  return (
    <section className="card" aria-labelledby="create-key-heading">
      <h2 id="create-key-heading">Create a key</h2>
      {message && <Alert tone="error">{message}</Alert>}
      <form ref={form} className="form form-key" onSubmit={submit} noValidate aria-busy={create.isPending}>
        <div className="form-key-fields">
          <Field
            label="Name"
            name="name"
            autoComplete="off"
            hint="Which service uses it, e.g. billing."
            value={name}
            onChange={(event) => setName(event.target.value)}
            error={errors.name}
          />
          <Field
            label="Expires (optional)"
            name="expiresAt"
            type="date"
            min={today()}
            hint="Stops working at the end of this day. Leave empty for no expiry."
            value={expires}
            onChange={(event) => setExpires(event.target.value)}
            error={errors.expiresAt}
          />
        </div>
        <fieldset
          className={`field scopes${errors.scopes ? ' field-invalid' : ''}`}
          aria-describedby={errors.scopes ? `${scopesId}-error` : undefined}
        >
          <legend>Scopes</legend>
          <div className="checks">
            {SCOPES.map((scope, index) => (
              <label key={scope} className="check">
                <input
                  type="checkbox"
                  name="scopes"
                  value={scope}
                  checked={scopes.includes(scope)}
                  aria-invalid={errors.scopes && index === 0 ? true : undefined}
                  aria-describedby={errors.scopes ? `${scopesId}-error` : undefined}
                  onChange={(event) => toggle(scope, event.target.checked)}
                />
                <span>
                  <span className="mono check-label">{scope}</span>
                  <span className="muted small">{SCOPE_HELP[scope]}</span>
                </span>
              </label>
            ))}
          </div>
          {errors.scopes && (
            <p id={`${scopesId}-error`} className="field-error">
              {errors.scopes}
            </p>
          )}
        </fieldset>
        <div className="form-actions">
          <button type="submit" className="btn btn-primary" disabled={create.isPending}>
            {create.isPending && <Spinner small />}
            {create.isPending ? 'Creating…' : 'Create key'}
          </button>
        </div>
      </form>
      {dialog}
    </section>
  );
}

/** The new key, shown this once, with a copy button. */
function NewKey({ name, secret, onDone }: { name: string; secret: string; onDone: () => void }) {
  const input = useRef<HTMLInputElement>(null);
  const heading = useRef<HTMLHeadingElement>(null);
  const [copied, setCopied] = useState<'yes' | 'failed' | null>(null);

  useEffect(() => heading.current?.focus(), []);

  const copy = async () => {
    input.current?.select();
    try {
      await navigator.clipboard.writeText(secret);
      setCopied('yes');
    } catch {
      // No clipboard permission (or not a secure context): the key is selected for Ctrl+C.
      setCopied('failed');
    }
  };

  return (
    <section className="card card-secret" aria-labelledby="new-key-heading">
      <h2 id="new-key-heading" ref={heading} tabIndex={-1}>
        Your new key “{name}”
      </h2>
      <Alert tone="warning" title="Copy it now: you won't see it again.">
        Gatehouse keeps only a hash of the key. If you lose it, revoke it and create a new one.
      </Alert>
      <div className="field secret-field">
        <label htmlFor="new-key">API key</label>
        <div className="secret-row">
          <input
            ref={input}
            id="new-key"
            className="mono"
            readOnly
            value={secret}
            spellCheck={false}
            autoComplete="off"
            onFocus={(event) => event.target.select()}
          />
          <button type="button" className="btn btn-secondary" onClick={() => void copy()}>
            Copy
          </button>
        </div>
        <p className="field-hint" role="status">
          {copied === 'yes'
            ? 'Copied to the clipboard.'
            : copied === 'failed'
              ? 'Could not copy: the key is selected, press Ctrl+C (⌘C) to copy it.'
              : 'Send it in the X-API-Key header.'}
        </p>
      </div>
      <div className="form-actions">
        <button type="button" className="btn btn-primary" onClick={onDone}>
          I've saved it
        </button>
      </div>
    </section>
  );
}
