import type { PublicUser } from '@gatehouse/client';
import { useMutation } from '@tanstack/react-query';
import { useEmailOptions } from '../email-options';
import { errorMessage } from '../errors';
import { trpc } from '../gatehouse';
import { Alert } from './Alert';
import { Spinner } from './Loading';

/** Asks a signed-in user with an unverified address to open the mailed link, or to get a new one. */
export function VerifyEmailBanner({ user }: { user: PublicUser }) {
  const options = useEmailOptions();
  const resend = useMutation(trpc.user.requestEmailVerification.mutationOptions());
  if (user.emailVerified || !options || options.verification === 'off') return null;

  return (
    <Alert tone="warning" className="banner">
      <p className="alert-text">
        <strong>Verify your email address.</strong>{' '}
        {resend.isSuccess
          ? `We sent a new link to ${user.email}. It works for 24 hours.`
          : resend.error
            ? errorMessage(resend.error)
            : `Open the link we sent to ${user.email} to confirm it is yours.`}
      </p>
      <button
        type="button"
        className="btn btn-secondary btn-small"
        disabled={resend.isPending}
        onClick={() => resend.mutate()}
      >
        {resend.isPending && <Spinner small />}
        {resend.isSuccess ? 'Send another link' : 'Resend verification mail'}
      </button>
    </Alert>
  );
}
