import { type ReactNode, useEffect, useRef, useState } from 'react';
import { errorMessage, fieldMessages } from '../errors';
import { Link, useSearchParam } from '../router';
import { Alert } from './Alert';
import { Loading } from './Loading';

type Outcome<T> = { ok: true; value: T } | { ok: false; message: string };

interface TokenLinkProps<T> {
  /** Spends the token of the mailed link (auth.verifyEmail, auth.confirmEmailChange, …). */
  use: (token: string) => Promise<T>;
  working: string;
  failedTitle: string;
  success: (value: T) => ReactNode;
  /** Shown under a failure: where to ask for a new link. */
  after: ReactNode;
}

/**
 * A page a mailed link opens: it reads `token` from the address and spends it once, then shows
 * what happened. Links are single-use, so React's development double effect must not spend it twice.
 */
export function TokenLink<T>({ use, working, failedTitle, success, after }: TokenLinkProps<T>) {
  const token = useSearchParam('token');
  const [outcome, setOutcome] = useState<Outcome<T> | null>(null);
  const sent = useRef(false);

  useEffect(() => {
    if (sent.current) return;
    sent.current = true;
    if (!token) {
      setOutcome({ ok: false, message: 'This link has no token. Open the whole link from the mail.' });
      return;
    }
    use(token)
      .then((value) => setOutcome({ ok: true, value }))
      .catch((error: unknown) => setOutcome({ ok: false, message: fieldMessages(error).token ?? errorMessage(error) }));
  }, [token, use]);

  if (!outcome) return <Loading label={working} />;
  if (outcome.ok) return success(outcome.value);
  return (
    <>
      <h1 tabIndex={-1}>{failedTitle}</h1>
      <Alert tone="error">{outcome.message}</Alert>
      {after}
    </>
  );
}

/** The way on from a mailed link's page: the profile when signed in, else sign-in. */
export function NextStepLink({ signedIn }: { signedIn: boolean }) {
  return signedIn ? (
    <Link to="/profile" className="btn btn-primary btn-block auth-next">
      Continue to your profile
    </Link>
  ) : (
    <Link to="/sign-in" className="btn btn-primary btn-block auth-next">
      Sign in
    </Link>
  );
}
