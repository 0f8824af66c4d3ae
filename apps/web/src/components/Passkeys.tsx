import type { RouterInputs, RouterOutputs } from '@gatehouse/client';
import './passkeys.css';
import { browserSupportsWebAuthn } from '@simplewebauthn/browser';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { errorMessage, fieldMessages } from '../errors';
import { formatDate, formatRelative } from '../format';
import { gatehouse, trpc } from '../gatehouse';
import { addPasskey, ceremonyMessage } from '../passkeys';
import { useStepUp } from '../step-up';
import { Alert } from './Alert';
import { ConfirmDialog } from './ConfirmDialog';
import { Field } from './Field';
import { Spinner } from './Loading';

type Passkey = RouterOutputs['user']['passkeys']['list'][number];

/** The account's passkeys: add one on this device, rename or delete the others (adding and deleting need a recent sign-in). */
export function Passkeys() {
  const queryClient = useQueryClient();
  const list = useQuery(trpc.user.passkeys.list.queryOptions());
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.user.passkeys.list.queryKey() });
  const [name, setName] = useState('');
  const [deleting, setDeleting] = useState<Passkey | null>(null);
  const [added, setAdded] = useState(false);
  const { withStepUp, dialog } = useStepUp();

  const add = useMutation({
    mutationFn: () => addPasskey(name.trim() || undefined, withStepUp),
    onSuccess: () => {
      setName('');
      setAdded(true);
      return refresh();
    },
  });
  const remove = useMutation({
    mutationFn: (input: RouterInputs['user']['passkeys']['delete']) =>
      withStepUp(() => gatehouse.trpc.user.passkeys.delete.mutate(input)),
    onSuccess: () => {
      setDeleting(null);
      return refresh();
    },
  });

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setAdded(false);
    add.mutate();
  };
  const supported = browserSupportsWebAuthn();
  const addError = add.error ? (ceremonyMessage(add.error) ?? errorMessage(add.error)) : null;

  return (
    <section className="card" aria-labelledby="passkeys-heading">
      <h2 id="passkeys-heading">Passkeys</h2>
      <p className="muted">
        Sign in with your fingerprint, face or device PIN instead of a password. A passkey never leaves your device.
      </p>
      {added && <Alert tone="success">Passkey added. You can now sign in with it.</Alert>}
      {list.error && <Alert tone="error">{errorMessage(list.error)}</Alert>}
      {list.data?.length ? (
        <ul className="passkey-list">
          {list.data.map((passkey) => (
            <PasskeyRow key={passkey.id} passkey={passkey} onDelete={() => setDeleting(passkey)} onRenamed={refresh} />
          ))}
        </ul>
      ) : (
        list.data && <p className="muted">No passkey yet.</p>
      )}
      {supported ? (
        <form className="form form-inline" onSubmit={submit} noValidate aria-busy={add.isPending}>
          <Field
            label="Name for the new passkey"
            name="passkeyName"
            placeholder="e.g. Work laptop"
            value={name}
            maxLength={64}
            onChange={(event) => setName(event.target.value)}
            error={fieldMessages(add.error).name}
          />
          <button type="submit" className="btn btn-primary" disabled={add.isPending}>
            {add.isPending && <Spinner small />}
            {add.isPending ? 'Waiting for your device…' : 'Add a passkey'}
          </button>
        </form>
      ) : (
        <p className="muted">This browser cannot create passkeys.</p>
      )}
      {addError && <Alert tone="error">{addError}</Alert>}
      <ConfirmDialog
        open={deleting !== null}
        title="Delete this passkey?"
        confirmLabel="Delete passkey"
        pendingLabel="Deleting…"
        danger
        pending={remove.isPending}
        error={remove.error ? errorMessage(remove.error) : null}
        onConfirm={() => deleting && remove.mutate({ id: deleting.id })}
        onCancel={() => setDeleting(null)}
      >
        <p>
          “{deleting?.name}” will no longer sign in to your account. The device may keep it until you remove it there.
        </p>
      </ConfirmDialog>
      {dialog}
    </section>
  );
}

function PasskeyRow({ passkey, onDelete, onRenamed }: { passkey: Passkey; onDelete(): void; onRenamed(): void }) {
  const [editing, setEditing] = useState(false);
  const [name, setName] = useState(passkey.name);
  const rename = useMutation(
    trpc.user.passkeys.rename.mutationOptions({
      onSuccess: () => {
        setEditing(false);
        onRenamed();
      },
    }),
  );
  if (editing) {
    return (
      <li>
        <form
          className="form form-inline"
          onSubmit={(event) => {
            event.preventDefault();
            rename.mutate({ id: passkey.id, name: name.trim() });
          }}
          noValidate
        >
          <Field
            label={`New name for “${passkey.name}”`}
            name="rename"
            value={name}
            maxLength={64}
            onChange={(event) => setName(event.target.value)}
            error={fieldMessages(rename.error).name ?? (rename.error ? errorMessage(rename.error) : undefined)}
          />
          <button type="submit" className="btn btn-small btn-primary" disabled={rename.isPending}>
            Save
          </button>
          <button type="button" className="btn btn-small btn-secondary" onClick={() => setEditing(false)}>
            Cancel
          </button>
        </form>
      </li>
    );
  }
  return (
    <li>
      <strong className="passkey-name">{passkey.name}</strong>{' '}
      {passkey.backedUp && <span className="badge">synced</span>}{' '}
      <span className="muted">
        added {formatDate(passkey.createdAt)} ·{' '}
        {passkey.lastUsedAt ? `used ${formatRelative(passkey.lastUsedAt)}` : 'never used'}
      </span>{' '}
      <button type="button" className="btn btn-small btn-secondary" onClick={() => setEditing(true)}>
        Rename
      </button>{' '}
      <button type="button" className="btn btn-small btn-danger-outline" onClick={onDelete}>
        Delete
      </button>
    </li>
  );
}
