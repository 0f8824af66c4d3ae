import { useQueryClient } from '@tanstack/react-query';
import { useCallback } from 'react';
import { useAuth } from '../auth';
import { Alert } from '../components/Alert';
import { NextStepLink, TokenLink } from '../components/TokenLink';
import { gatehouse, trpc } from '../gatehouse';
import { usePageTitle } from '../page';

/** Opened from the verification mail (/verify-email?token=…), signed in or not. */
export function VerifyEmail() {
  usePageTitle('Verify email');
  const queryClient = useQueryClient();
  const { status } = useAuth();
  const signedIn = status === 'signed-in';
  const verify = useCallback(
    async (token: string) => {
      await gatehouse.trpc.auth.verifyEmail.mutate({ token });
      // The banner reads user.me: it must not come back from the cache.
      await queryClient.invalidateQueries({ queryKey: trpc.user.me.queryKey() });
    },
    [queryClient],
  );
  const next = <NextStepLink signedIn={signedIn} />;
  return (
    <TokenLink
      use={verify}
      working="Verifying your email address…"
      failedTitle="This link did not work"
      success={() => (
        <>
          <h1 tabIndex={-1}>Email verified</h1>
          <Alert tone="success">Thank you: your email address is confirmed.</Alert>
          {next}
        </>
      )}
      after={
        <>
          <p className="auth-switch">
            {signedIn ? 'Ask for a new link from the banner on your profile.' : 'Sign in to ask for a new link.'}
          </p>
          {next}
        </>
      }
    />
  );
}
