import type { MfaChallenge } from '@gatehouse/client';
import { useCallback } from 'react';
import { useAuth } from '../auth';
import { MfaCodeStep } from '../components/MfaCodeStep';
import { TokenLink } from '../components/TokenLink';
import { usePageTitle } from '../page';
import { Link, navigate } from '../router';

/** Opened from a sign-in mail (/sign-in-link?token=…): signs in, then goes to the profile. */
export function SignInLink() {
  usePageTitle('Signing in');
  const { signInWithLink } = useAuth();
  const signIn = useCallback(
    async (token: string) => {
      const challenge = await signInWithLink(token);
      if (!challenge) navigate('/profile', { replace: true });
      return challenge;
    },
    [signInWithLink],
  );
  return (
    <TokenLink
      use={signIn}
      working="Signing you in…"
      failedTitle="Sign-in link did not work"
      success={(challenge: MfaChallenge | null) =>
        challenge && (
          <MfaCodeStep
            challenge={challenge}
            onSignedIn={() => navigate('/profile', { replace: true })}
            onStartOver={() => navigate('/sign-in', { replace: true })}
          />
        )
      }
      after={
        <p className="auth-switch">
          <Link to="/email-sign-in">Email me a new link</Link> or <Link to="/sign-in">sign in with a password</Link>
        </p>
      }
    />
  );
}
