import { browserSupportsWebAuthn } from '@simplewebauthn/browser';
import './passkeys.css';
import { useMutation } from '@tanstack/react-query';
import { useAuth } from '../auth';
import { errorMessage } from '../errors';
import { ceremonyMessage } from '../passkeys';
import { navigate } from '../router';
import { Alert } from './Alert';
import { Spinner } from './Loading';

/** "Sign in with a passkey": no username needed, the browser offers this site's passkeys. */
export function PasskeySignIn({ next }: { next: string | null }) {
  const { signInWithPasskey } = useAuth();
  const signIn = useMutation({
    mutationFn: signInWithPasskey,
    onSuccess: () => navigate(next ?? '/profile', { replace: true }),
  });
  if (!browserSupportsWebAuthn()) return null;
  return (
    <div className="passkey-sign-in">
      {signIn.error && <Alert tone="error">{ceremonyMessage(signIn.error) ?? errorMessage(signIn.error)}</Alert>}
      <button
        type="button"
        className="btn btn-secondary btn-block"
        disabled={signIn.isPending}
        onClick={() => signIn.mutate()}
      >
        {signIn.isPending && <Spinner small />}
        {signIn.isPending ? 'Waiting for your passkey…' : 'Sign in with a passkey'}
      </button>
    </div>
  );
}
