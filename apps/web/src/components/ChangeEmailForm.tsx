import type { PublicUser, RouterInputs } from '@gatehouse/client';
import { useMutation } from '@tanstack/react-query';
import { type FormEvent, useEffect, useRef, useState } from 'react';
import { fieldMessages, formMessage } from '../errors';
import { gatehouse } from '../gatehouse';
import { useStepUp } from '../step-up';
import { Alert } from './Alert';
import { Field } from './Field';
import { Spinner } from './Loading';

/**
 * The address changes only when the link mailed to the new one is opened
 * (/confirm-email-change); the current address is told either way. Besides the password, the
 * server wants a recent sign-in: after ten minutes the step-up dialog asks first.
 */
export function ChangeEmailForm({ user }: { user: PublicUser }) {
  const empty = { newEmail: '', currentPassword: '' };
  const [values, setValues] = useState(empty);
  const [sentTo, setSentTo] = useState<string | null>(null);
  const form = useRef<HTMLFormElement>(null);
  const { withStepUp, dialog } = useStepUp();
  const request = useMutation({
    mutationFn: (input: RouterInputs['user']['requestEmailChange']) =>
      withStepUp(() => gatehouse.trpc.user.requestEmailChange.mutate(input)),
    onSuccess: (_result, input) => {
      setValues(empty);
      setSentTo(input.newEmail);
    },
  });

  useEffect(() => {
    if (request.error) form.current?.querySelector<HTMLInputElement>('[aria-invalid="true"]')?.focus();
  }, [request.error]);

  const errors = fieldMessages(request.error);
  const message = formMessage(request.error, ['newEmail', 'currentPassword']);
  const set = (name: keyof typeof values) => (event: { target: { value: string } }) =>
    setValues((v) => ({ ...v, [name]: event.target.value }));

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setSentTo(null);
    request.mutate({ newEmail: values.newEmail.trim(), currentPassword: values.currentPassword });
  };

  return (
    <section className="card" aria-labelledby="email-heading">
      <h2 id="email-heading">Change email</h2>
      <p className="muted">We mail a link to the new address; the change takes effect once you open it.</p>
      {sentTo && (
        <Alert tone="success">
          We sent a confirmation link to {sentTo}. Your address stays {user.email} until you open it.
        </Alert>
      )}
      {message && <Alert tone="error">{message}</Alert>}
      {user.hasPassword ? (
        <form ref={form} className="form" onSubmit={submit} noValidate aria-busy={request.isPending}>
          <Field
            label="New email"
            name="newEmail"
            type="email"
            autoComplete="email"
            autoCapitalize="none"
            spellCheck={false}
            value={values.newEmail}
            onChange={set('newEmail')}
            error={errors.newEmail}
            required
          />
          <Field
            label="Password"
            name="currentPassword"
            type="password"
            autoComplete="current-password"
            hint="Your current password, to confirm it is you."
            value={values.currentPassword}
            onChange={set('currentPassword')}
            error={errors.currentPassword}
            required
          />
          <div className="form-actions">
            <button
              type="submit"
              className="btn btn-primary"
              disabled={request.isPending || !values.newEmail.trim() || !values.currentPassword}
            >
              {request.isPending && <Spinner small />}
              {request.isPending ? 'Sending…' : 'Send confirmation link'}
            </button>
          </div>
        </form>
      ) : (
        <p className="muted">Set a password first: changing the address asks for it.</p>
      )}
      {dialog}
    </section>
  );
}
