import { useMutation } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { Alert } from '../components/Alert';
import { Field } from '../components/Field';
import { Spinner } from '../components/Loading';
import { fieldMessages, formMessage } from '../errors';
import { gatehouse } from '../gatehouse';
import { usePageTitle } from '../page';
import { Link, useSearchParam } from '../router';

/** Opened from the reset mail (/reset-password?token=…): sets a new password, then the user signs in. */
export function ResetPassword() {
  usePageTitle('Reset password');
  const token = useSearchParam('token') ?? '';
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const [mismatch, setMismatch] = useState(false);
  const reset = useMutation({
    mutationFn: (newPassword: string) => gatehouse.trpc.auth.resetPassword.mutate({ token, newPassword }),
  });
  const errors = fieldMessages(reset.error);
  // A bad, used or expired link is refused at `token`, which has no field here: show it on top.
  const message = errors.token ?? formMessage(reset.error, ['newPassword']);

  if (reset.isSuccess) {
    return (
      <>
        <h1 tabIndex={-1}>Password changed</h1>
        <Alert tone="success">Your password has been reset and every session was signed out.</Alert>
        <Link to="/sign-in" className="btn btn-primary btn-block auth-next">
          Sign in with your new password
        </Link>
      </>
    );
  }

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const different = confirm !== password;
    setMismatch(different);
    if (!different) reset.mutate(password);
  };

  return (
    <>
      <h1 tabIndex={-1}>Choose a new password</h1>
      <p className="lead">Every device signed in to your account will be signed out.</p>
      {message && (
        <Alert tone="error">
          {message}
          {errors.token && (
            <>
              {' '}
              <Link to="/forgot-password">Ask for a new link</Link>
            </>
          )}
        </Alert>
      )}
      <form className="form" onSubmit={submit} noValidate aria-busy={reset.isPending}>
        <Field
          label="New password"
          name="newPassword"
          type="password"
          autoComplete="new-password"
          hint="At least 8 characters."
          value={password}
          onChange={(event) => setPassword(event.target.value)}
          error={errors.newPassword}
          required
        />
        <Field
          label="Confirm new password"
          name="confirm"
          type="password"
          autoComplete="new-password"
          value={confirm}
          onChange={(event) => setConfirm(event.target.value)}
          error={mismatch ? 'The passwords do not match.' : undefined}
          required
        />
        <button type="submit" className="btn btn-primary btn-block" disabled={reset.isPending || !password}>
          {reset.isPending && <Spinner small />}
          {reset.isPending ? 'Saving…' : 'Set new password'}
        </button>
      </form>
    </>
  );
}
