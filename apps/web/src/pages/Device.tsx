import type { RouterInputs } from '@gatehouse/client';
import { useMutation } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { Alert } from '../components/Alert';
import { Field } from '../components/Field';
import { Spinner } from '../components/Loading';
import { errorMessage, fieldMessages } from '../errors';
import { gatehouse, trpc } from '../gatehouse';
import { usePageTitle } from '../page';
import { useSearchParam } from '../router';
import { useStepUp } from '../step-up';

/**
 * Device sign-in (RFC 8628): the user types (or follows a link with) the code a CLI shows and
 * approves or denies it. Approving signs that device in as the current user, so it needs a recent
 * sign-in (the step-up dialog asks after ten minutes).
 */
export function Device() {
  usePageTitle('Sign in a device');
  const prefilled = useSearchParam('user_code') ?? '';
  const [userCode, setUserCode] = useState(prefilled);
  const [outcome, setOutcome] = useState<{ tone: 'success' | 'info'; text: string } | null>(null);

  const done = (verb: string) => (result: { clientName: string | null }) =>
    setOutcome({
      tone: verb === 'approved' ? 'success' : 'info',
      text:
        verb === 'approved'
          ? `${result.clientName ?? 'The device'} is now signed in to your account. You can close this page.`
          : `${result.clientName ?? 'The device'} was refused. It will not be signed in.`,
    });
  const { withStepUp, dialog } = useStepUp();
  const approve = useMutation({
    mutationFn: (input: RouterInputs['user']['device']['approve']) =>
      withStepUp(() => gatehouse.trpc.user.device.approve.mutate(input)),
    onSuccess: done('approved'),
  });
  const deny = useMutation(trpc.user.device.deny.mutationOptions({ onSuccess: done('denied') }));
  const failed = approve.error ?? deny.error;
  const busy = approve.isPending || deny.isPending;

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    deny.reset();
    approve.mutate({ userCode: userCode.trim() });
  };

  return (
    <>
      <div className="page-header">
        <div>
          <h1 tabIndex={-1}>Sign in a device</h1>
          <p className="lead">
            Enter the code your command-line tool or device shows. Approve it only if you started that sign-in yourself:
            the device gets access to your account.
          </p>
        </div>
      </div>
      <section className="card" aria-labelledby="device-heading">
        <h2 id="device-heading">Device code</h2>
        {outcome && <Alert tone={outcome.tone}>{outcome.text}</Alert>}
        {failed && !fieldMessages(failed).userCode && <Alert tone="error">{errorMessage(failed)}</Alert>}
        {!outcome && (
          <form className="form" onSubmit={submit} noValidate aria-busy={busy}>
            <Field
              label="Code"
              name="userCode"
              autoComplete="off"
              autoCapitalize="characters"
              spellCheck={false}
              placeholder="BCDF-GHJK"
              hint="Eight letters; the dash is optional."
              value={userCode}
              onChange={(event) => setUserCode(event.target.value)}
              error={failed ? fieldMessages(failed).userCode : undefined}
              required
            />
            <div className="form-actions">
              <button type="submit" className="btn btn-primary" disabled={busy || !userCode.trim()}>
                {approve.isPending && <Spinner small />}
                Approve
              </button>
              <button
                type="button"
                className="btn btn-danger-outline"
                disabled={busy || !userCode.trim()}
                onClick={() => {
                  approve.reset();
                  deny.mutate({ userCode: userCode.trim() });
                }}
              >
                {deny.isPending && <Spinner small />}
                Deny
              </button>
            </div>
          </form>
        )}
        {dialog}
      </section>
    </>
  );
}
