import { useQueryClient } from '@tanstack/react-query';
import { useCallback } from 'react';
import { useAuth } from '../auth';
import { Alert } from '../components/Alert';
import { NextStepLink, TokenLink } from '../components/TokenLink';
import { gatehouse, trpc } from '../gatehouse';
import { usePageTitle } from '../page';

/** Opened from the mail sent to the new address (/confirm-email-change?token=…). */
export function ConfirmEmailChange() {
  usePageTitle('Confirm email change');
  const queryClient = useQueryClient();
  const { status } = useAuth();
  const confirm = useCallback(
    async (token: string) => {
      const { email } = await gatehouse.trpc.auth.confirmEmailChange.mutate({ token });
      await queryClient.invalidateQueries({ queryKey: trpc.user.me.queryKey() });
      return email;
    },
    [queryClient],
  );
  const next = <NextStepLink signedIn={status === 'signed-in'} />;
  return (
    <TokenLink
      use={confirm}
      working="Changing your email address…"
      failedTitle="This link did not work"
      success={(email) => (
        <>
          <h1 tabIndex={-1}>Email address changed</h1>
          <Alert tone="success">
            Your account now uses <strong>{email}</strong>. Sign in with it from now on.
          </Alert>
          {next}
        </>
      )}
      after={
        <>
          <p className="auth-switch">
            Start again from <strong>Change email</strong> on your profile.
          </p>
          {next}
        </>
      }
    />
  );
}
