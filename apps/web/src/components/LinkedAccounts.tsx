import type { RouterInputs } from '@gatehouse/client';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { errorMessage } from '../errors';
import { formatDate } from '../format';
import { gatehouse, trpc } from '../gatehouse';
import { useStepUp } from '../step-up';
import { Alert } from './Alert';

/** The provider identities this account signs in with; link another, or unlink one (both need a recent sign-in). */
export function LinkedAccounts() {
  const queryClient = useQueryClient();
  const providers = useQuery(trpc.oauth.providers.queryOptions());
  const linked = useQuery(trpc.user.linkedAccounts.queryOptions());
  const { withStepUp, dialog } = useStepUp();
  const link = useMutation({
    mutationFn: (input: RouterInputs['user']['linkAccount']) =>
      withStepUp(() => gatehouse.trpc.user.linkAccount.mutate(input)),
    onSuccess: ({ authorizationUrl }) => window.location.assign(authorizationUrl),
  });
  const unlink = useMutation({
    mutationFn: (input: RouterInputs['user']['unlinkAccount']) =>
      withStepUp(() => gatehouse.trpc.user.unlinkAccount.mutate(input)),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: trpc.user.linkedAccounts.queryKey() }),
  });
  if (!providers.data?.length && !linked.data?.length) return null;
  const nameOf = (id: string) => providers.data?.find((p) => p.id === id)?.displayName ?? id;
  const error = link.error ?? unlink.error;
  return (
    <section className="card" aria-labelledby="linked-heading">
      <h2 id="linked-heading">Linked accounts</h2>
      {error && <Alert tone="error">{errorMessage(error)}</Alert>}
      {linked.data?.length ? (
        <ul className="linked-accounts">
          {linked.data.map((account) => (
            <li key={account.id}>
              <strong>{nameOf(account.provider)}</strong> {account.email && <span>{account.email}</span>}{' '}
              <span className="muted">since {formatDate(account.createdAt)}</span>{' '}
              <button
                type="button"
                className="btn btn-small"
                disabled={unlink.isPending}
                onClick={() => unlink.mutate({ id: account.id })}
              >
                Unlink
              </button>
            </li>
          ))}
        </ul>
      ) : (
        <p className="muted">No provider is linked to this account.</p>
      )}
      <div className="form-actions">
        {providers.data?.map((provider) => (
          <button
            key={provider.id}
            type="button"
            className="btn"
            disabled={link.isPending}
            onClick={() => link.mutate({ provider: provider.id, returnTo: '/profile' })}
          >
            Link {provider.displayName}
          </button>
        ))}
      </div>
      {dialog}
    </section>
  );
}
