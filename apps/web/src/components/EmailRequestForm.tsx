import { useMutation } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { fieldMessages, formMessage } from '../errors';
import { Alert } from './Alert';
import { Field } from './Field';
import { Spinner } from './Loading';

interface EmailRequestFormProps {
  /** Calls the request procedure; the server answers the same whether or not the address is known. */
  send: (email: string) => Promise<unknown>;
  submitLabel: string;
  /** What the mail holds, for the confirmation: "a link to reset your password". */
  what: string;
  initialEmail?: string;
}

/** One email field that asks the server to mail a link, then says so without telling whether it did. */
export function EmailRequestForm({ send, submitLabel, what, initialEmail = '' }: EmailRequestFormProps) {
  const [email, setEmail] = useState(initialEmail);
  const [missing, setMissing] = useState(false);
  const request = useMutation({ mutationFn: (address: string) => send(address) });
  const errors = fieldMessages(request.error);
  const message = formMessage(request.error, ['email']);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const address = email.trim();
    setMissing(!address);
    if (address) request.mutate(address);
  };

  return (
    <>
      {request.isSuccess && (
        <Alert tone="success" title="Check your inbox">
          If an account has the address {request.variables}, we sent it {what}. The link works once.
        </Alert>
      )}
      {message && <Alert tone="error">{message}</Alert>}
      <form className="form" onSubmit={submit} noValidate aria-busy={request.isPending}>
        <Field
          label="Email"
          name="email"
          type="email"
          autoComplete="email"
          autoCapitalize="none"
          spellCheck={false}
          value={email}
          onChange={(event) => setEmail(event.target.value)}
          error={missing ? 'Enter your email address.' : errors.email}
          required
        />
        <button type="submit" className="btn btn-primary btn-block" disabled={request.isPending}>
          {request.isPending && <Spinner small />}
          {request.isPending ? 'Sending…' : submitLabel}
        </button>
      </form>
    </>
  );
}
