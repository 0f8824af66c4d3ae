import type { MfaChallenge } from '@gatehouse/client';
import { useEffect, useRef, useState } from 'react';
import { useAuth } from '../auth';
import { Alert } from '../components/Alert';
import { Loading } from '../components/Loading';
import { MfaCodeStep } from '../components/MfaCodeStep';
import { errorMessage } from '../errors';
import { usePageTitle } from '../page';
import { Link, navigate, safeReturnPath, useLocation } from '../router';

/**
 * Where the provider sends the browser back (PUBLIC_URL/auth/callback/<provider>): hands the
 * code and state to oauth.callback, which checks the state against this browser's cookie.
 */
export function OAuthCallback() {
  usePageTitle('Signing in');
  const { completeOAuth } = useAuth();
  const { pathname, search } = useLocation();
  const [failure, setFailure] = useState<string | null>(null);
  const [pending, setPending] = useState<{ challenge: MfaChallenge; returnTo: string | null } | null>(null);
  // A code is single-use: React's development double effect must not spend it twice.
  const sent = useRef(false);

  useEffect(() => {
    if (sent.current) return;
    sent.current = true;
    const provider = pathname.slice('/auth/callback/'.length);
    const params = new URLSearchParams(search);
    const code = params.get('code');
    const state = params.get('state');
    if (params.get('error') || !code || !state) {
      setFailure(params.get('error_description') ?? 'The provider did not complete the sign-in.');
      return;
    }
    completeOAuth(provider, code, state)
      .then(({ returnTo, challenge }) => {
        if (challenge) setPending({ challenge, returnTo });
        else navigate(safeReturnPath(returnTo) ?? '/profile', { replace: true });
      })
      .catch((error: unknown) => setFailure(errorMessage(error)));
  }, [completeOAuth, pathname, search]);

  if (pending) {
    return (
      <MfaCodeStep
        challenge={pending.challenge}
        onSignedIn={() => navigate(safeReturnPath(pending.returnTo) ?? '/profile', { replace: true })}
        onStartOver={() => navigate('/sign-in', { replace: true })}
      />
    );
  }
  if (!failure) return <Loading label="Signing you in…" />;
  return (
    <>
      <h1 tabIndex={-1}>Sign-in did not complete</h1>
      <Alert tone="error">{failure}</Alert>
      <p className="auth-switch">
        <Link to="/sign-in">Back to sign in</Link>
      </p>
    </>
  );
}
