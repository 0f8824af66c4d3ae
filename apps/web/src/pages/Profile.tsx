import type { RouterOutputs } from '@gatehouse/client';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useEffect, useRef, useState } from 'react';
import { useMe } from '../auth';
import { Alert } from '../components/Alert';
import { ChangeEmailForm } from '../components/ChangeEmailForm';
import { EmailStatus } from '../components/EmailStatus';
import { Field } from '../components/Field';
import { LinkedAccounts } from '../components/LinkedAccounts';
import { Spinner } from '../components/Loading';
import { Passkeys } from '../components/Passkeys';
import { TwoFactor } from '../components/TwoFactor';
import { fieldMessages, formMessage } from '../errors';
import { formatDate } from '../format';
import { gatehouse, trpc } from '../gatehouse';
import { usePageTitle } from '../page';
import { useStepUp } from '../step-up';

type User = RouterOutputs['user']['me'];

export function Profile() {
  usePageTitle('Profile');
  const { data: user } = useMe();
  if (!user) return null;
  return (
    <>
      <div className="page-header">
        <div>
          <h1 tabIndex={-1}>Profile</h1>
          <p className="lead">Your account details, email address and password.</p>
        </div>
      </div>
      <section className="card" aria-labelledby="account-heading">
        <h2 id="account-heading">Account</h2>
        <dl className="facts">
          <div>
            <dt>Username</dt>
            <dd>{user.username}</dd>
          </div>
          <div>
            <dt>Email</dt>
            <dd>
              {user.email} <EmailStatus verified={user.emailVerified} />
            </dd>
          </div>
          <div>
            <dt>Role</dt>
            <dd>
              <span className={`badge badge-${user.role}`}>{user.role}</span>
            </dd>
          </div>
          <div>
            <dt>Member since</dt>
            <dd>{formatDate(user.createdAt)}</dd>
          </div>
        </dl>
      </section>
      <div className="grid-2">
        <ProfileForm user={user} />
        <ChangeEmailForm user={user} />
        <PasswordForm hasPassword={user.hasPassword} />
      </div>
      <TwoFactor />
      <Passkeys />
      <LinkedAccounts />
    </>
  );
}

function ProfileForm({ user }: { user: User }) {
  const queryClient = useQueryClient();
  const [fullName, setFullName] = useState(user.fullName ?? '');
  const [saved, setSaved] = useState(false);
  const form = useRef<HTMLFormElement>(null);

  const update = useMutation(
    trpc.user.update.mutationOptions({
      onSuccess: (updated) => {
        queryClient.setQueryData(trpc.user.me.queryKey(), updated);
        setFullName(updated.fullName ?? '');
        setSaved(true);
      },
    }),
  );

  useEffect(() => {
    if (update.error) form.current?.querySelector<HTMLInputElement>('[aria-invalid="true"]')?.focus();
  }, [update.error]);

  const changed = fullName.trim() !== (user.fullName ?? '');
  const errors = fieldMessages(update.error);
  const message = formMessage(update.error, ['fullName']);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setSaved(false);
    // The address changes only through a confirmed link (Change email), never here.
    update.mutate({ fullName: fullName.trim() || null });
  };

  return (
    <section className="card" aria-labelledby="details-heading">
      <h2 id="details-heading">Personal details</h2>
      {saved && !changed && <Alert tone="success">Your profile has been saved.</Alert>}
      {message && <Alert tone="error">{message}</Alert>}
      <form ref={form} className="form" onSubmit={submit} noValidate aria-busy={update.isPending}>
        <Field
          label="Full name"
          name="fullName"
          autoComplete="name"
          value={fullName}
          onChange={(event) => setFullName(event.target.value)}
          error={errors.fullName}
        />
        <div className="form-actions">
          <button type="submit" className="btn btn-primary" disabled={update.isPending || !changed}>
            {update.isPending && <Spinner small />}
            {update.isPending ? 'Saving…' : 'Save changes'}
          </button>
        </div>
      </form>
    </section>
  );
}

function PasswordForm({ hasPassword }: { hasPassword: boolean }) {
  const queryClient = useQueryClient();
  const empty = { currentPassword: '', newPassword: '', confirm: '' };
  const [values, setValues] = useState(empty);
  const [mismatch, setMismatch] = useState(false);
  const [ended, setEnded] = useState<number | null>(null);
  const form = useRef<HTMLFormElement>(null);

  const { withStepUp, dialog } = useStepUp();

  const change = useMutation({
    mutationFn: (input: { currentPassword: string; newPassword: string }) =>
      withStepUp(() => gatehouse.trpc.user.changePassword.mutate(input)),
    onSuccess: (result) => {
      setValues(empty);
      setEnded(result.sessionsEnded);
      void queryClient.invalidateQueries({ queryKey: trpc.user.sessions.queryKey() });
    },
  });

  useEffect(() => {
    if (change.error || mismatch) form.current?.querySelector<HTMLInputElement>('[aria-invalid="true"]')?.focus();
  }, [change.error, mismatch]);

  if (!hasPassword) return <SetPasswordForm />;

  const errors = fieldMessages(change.error);
  const message = formMessage(change.error, ['currentPassword', 'newPassword']);
  const set = (name: keyof typeof values) => (event: { target: { value: string } }) =>
    setValues((v) => ({ ...v, [name]: event.target.value }));

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setEnded(null);
    const different = values.confirm !== values.newPassword;
    setMismatch(different);
    if (!different) change.mutate({ currentPassword: values.currentPassword, newPassword: values.newPassword });
  };

  return (
    <section className="card" aria-labelledby="password-heading">
      <h2 id="password-heading">Change password</h2>
      {ended !== null && (
        <Alert tone="success">
          Your password has been changed.{' '}
          {ended > 0
            ? `${ended} other session${ended === 1 ? ' was' : 's were'} signed out.`
            : 'No other sessions were signed in.'}
        </Alert>
      )}
      {message && <Alert tone="error">{message}</Alert>}
      <form ref={form} className="form" onSubmit={submit} noValidate aria-busy={change.isPending}>
        <Field
          label="Current password"
          name="currentPassword"
          type="password"
          autoComplete="current-password"
          value={values.currentPassword}
          onChange={set('currentPassword')}
          error={errors.currentPassword}
          required
        />
        <Field
          label="New password"
          name="newPassword"
          type="password"
          autoComplete="new-password"
          hint="At least 8 characters. Other devices will be signed out."
          value={values.newPassword}
          onChange={set('newPassword')}
          error={errors.newPassword}
          required
        />
        <Field
          label="Confirm new password"
          name="confirm"
          type="password"
          autoComplete="new-password"
          value={values.confirm}
          onChange={set('confirm')}
          error={mismatch ? 'The passwords do not match.' : undefined}
          required
        />
        <div className="form-actions">
          <button
            type="submit"
            className="btn btn-primary"
            disabled={change.isPending || !values.currentPassword || !values.newPassword}
          >
            {change.isPending && <Spinner small />}
            {change.isPending ? 'Changing…' : 'Change password'}
          </button>
        </div>
      </form>
      {dialog}
    </section>
  );
}

/** Accounts created through a provider have no password until they set one here (after a recent sign-in). */
function SetPasswordForm() {
  const queryClient = useQueryClient();
  const [password, setPassword] = useState('');
  const { withStepUp, dialog } = useStepUp();
  const set = useMutation({
    mutationFn: (input: { password: string }) => withStepUp(() => gatehouse.trpc.user.setPassword.mutate(input)),
    onSuccess: () => {
      setPassword('');
      void queryClient.invalidateQueries({ queryKey: trpc.user.me.queryKey() });
    },
  });
  const errors = fieldMessages(set.error);
  const message = formMessage(set.error, ['password']);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    set.mutate({ password });
  };
  return (
    <section className="card" aria-labelledby="password-heading">
      <h2 id="password-heading">Set a password</h2>
      <p className="muted">This account signs in with an external provider. Set a password to sign in without it.</p>
      {message && <Alert tone="error">{message}</Alert>}
      <form className="form" onSubmit={submit} noValidate aria-busy={set.isPending}>
        <Field
          label="New password"
          name="password"
          type="password"
          autoComplete="new-password"
          hint="At least 8 characters."
          value={password}
          onChange={(event) => setPassword(event.target.value)}
          error={errors.password}
          required
        />
        <div className="form-actions">
          <button type="submit" className="btn btn-primary" disabled={set.isPending || !password}>
            {set.isPending && <Spinner small />}
            Set password
          </button>
        </div>
      </form>
      {dialog}
    </section>
  );
}
