import { useMutation } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { errorMessage } from '../errors';
import { gatehouse, trpc } from '../gatehouse';
import { Alert } from './Alert';
import { Spinner } from './Loading';

/**
 * "Continue with …" for every provider the server has enabled. oauth.start returns the
 * provider's URL (and sets the browser-binding cookie); the provider sends the user back to
 * /auth/callback/<provider>.
 */
export function OAuthButtons({ returnTo }: { returnTo: string | null }) {
  const providers = useProviders();
  const start = useMutation(
    trpc.oauth.start.mutationOptions({
      onSuccess: ({ authorizationUrl }) => window.location.assign(authorizationUrl),
    }),
  );
  if (!providers.length) return null;
  return (
    <div className="oauth-buttons">
      {start.error && <Alert tone="error">{errorMessage(start.error)}</Alert>}
      {providers.map((provider) => (
        <button
          key={provider.id}
          type="button"
          className="btn btn-block"
          disabled={start.isPending}
          onClick={() => start.mutate({ provider: provider.id, ...(returnTo ? { returnTo } : {}) })}
        >
          {start.isPending && start.variables?.provider === provider.id && <Spinner small />}
          Continue with {provider.displayName}
        </button>
      ))}
      <p className="muted oauth-or">or sign in with your password</p>
    </div>
  );
}

type Provider = { id: string; displayName: string };

/**
 * Fetched outside the query cache on purpose: signing out clears that cache just as the sign-in
 * page mounts, which would drop this query mid-flight. No buttons when the call fails.
 */
function useProviders(): Provider[] {
  const [providers, setProviders] = useState<Provider[]>([]);
  useEffect(() => {
    let live = true;
    gatehouse.trpc.oauth.providers
      .query()
      .then((list) => live && setProviders(list))
      .catch(() => undefined);
    return () => {
      live = false;
    };
  }, []);
  return providers;
}
