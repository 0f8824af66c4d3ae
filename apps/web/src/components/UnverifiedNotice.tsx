import { useMutation } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { errorMessage } from '../errors';
import { gatehouse } from '../gatehouse';
import { Alert } from './Alert';
import { Spinner } from './Loading';

/**
 * EMAIL_VERIFICATION=required refused a right password: the address is not verified yet. Offers
 * a new verification mail (auth.requestEmailVerification needs no session), to the address the
 * user typed when they signed in with it, else to one they enter here.
 */
export function UnverifiedNotice({ login }: { login: string }) {
  const [email, setEmail] = useState(login.includes('@') ? login : '');
  const resend = useMutation({
    mutationFn: (address: string) => gatehouse.trpc.auth.requestEmailVerification.mutate({ email: address }),
  });

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (email.trim()) resend.mutate(email.trim());
  };

  return (
    <Alert tone="warning" title="Verify your email address first">
      <p className="alert-text">
        This account can sign in once its email address is confirmed. Open the link we mailed you, or get a new one.
      </p>
      {resend.isSuccess ? (
        <p className="alert-text" role="status">
          If {resend.variables} belongs to an unverified account, a new link is on its way.
        </p>
      ) : (
        <form className="inline-form" onSubmit={submit} noValidate aria-busy={resend.isPending}>
          {!login.includes('@') && (
            <input
              type="email"
              name="verifyEmail"
              aria-label="Your email address"
              placeholder="Your email address"
              autoComplete="email"
              value={email}
              onChange={(event) => setEmail(event.target.value)}
            />
          )}
          <button type="submit" className="btn btn-secondary btn-small" disabled={resend.isPending || !email.trim()}>
            {resend.isPending && <Spinner small />}
            Resend verification mail
          </button>
        </form>
      )}
      {resend.error && <p className="alert-text">{errorMessage(resend.error)}</p>}
    </Alert>
  );
}
