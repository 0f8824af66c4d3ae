import { errorReason } from '@gatehouse/client';
import { useMutation, useQuery } from '@tanstack/react-query';
import { type FormEvent, type ReactNode, useCallback, useEffect, useId, useRef, useState } from 'react';
import { useMe } from './auth';
import { Alert } from './components/Alert';
import { Field } from './components/Field';
import { Spinner } from './components/Loading';
import { fieldMessages, formMessage } from './errors';
import { trpc } from './gatehouse';

interface Pending {
  resolve: () => void;
  reject: (error: unknown) => void;
  refusal: unknown;
}

/** Runs an action, asking the user to confirm it is them and running it again if the server wants that. */
export type WithStepUp = <T>(action: () => Promise<T>) => Promise<T>;

/**
 * Sensitive changes answer FORBIDDEN/REAUTH_REQUIRED when the last sign-in is over ten minutes
 * old. `withStepUp(action)` runs the action; on that refusal it asks the user to confirm it is
 * them (auth.reauthenticate) and runs it once more. Render `dialog` somewhere in the component.
 */
export function useStepUp(): { withStepUp: WithStepUp; dialog: ReactNode } {
  const [pending, setPending] = useState<Pending | null>(null);

  const withStepUp: WithStepUp = useCallback(async <T,>(action: () => Promise<T>): Promise<T> => {
    try {
      return await action();
    } catch (error) {
      if (errorReason(error) !== 'REAUTH_REQUIRED') throw error;
      await new Promise<void>((resolve, reject) => setPending({ resolve, reject, refusal: error }));
      return action();
    }
  }, []);

  const dialog = (
    <ReauthDialog
      open={pending !== null}
      onConfirmed={() => {
        pending?.resolve();
        setPending(null);
      }}
      onCancel={() => {
        // The action fails with the server's refusal, so its form says why nothing changed.
        pending?.reject(pending.refusal);
        setPending(null);
      }}
    />
  );
  return { withStepUp, dialog };
}

interface ReauthDialogProps {
  open: boolean;
  onConfirmed: () => void;
  onCancel: () => void;
}

/** Asks for the password, or a code when the account has an authenticator app (a password alone is refused then). */
function ReauthDialog({ open, onConfirmed, onCancel }: ReauthDialogProps) {
  const dialog = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const me = useMe();
  const status = useQuery({ ...trpc.user.mfa.status.queryOptions(), enabled: open });
  const [value, setValue] = useState('');
  const reauth = useMutation(trpc.auth.reauthenticate.mutationOptions({ onSuccess: onConfirmed }));
  const { reset } = reauth;
  const useCode = status.data?.totp === true;

  useEffect(() => {
    const element = dialog.current;
    if (!element) return;
    if (open && !element.open) {
      setValue('');
      reset();
      element.showModal();
    } else if (!open && element.open) {
      element.close();
    }
  }, [open, reset]);

  const field = useCode ? 'code' : 'password';
  const errors = fieldMessages(reauth.error);
  const message = formMessage(reauth.error, [field]);
  const noWay = !useCode && me.data?.hasPassword === false;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!value.trim()) return;
    reauth.mutate(useCode ? { code: value.trim() } : { password: value });
  };

  return (
    <dialog
      ref={dialog}
      className="dialog"
      aria-labelledby={titleId}
      onCancel={(event) => {
        event.preventDefault();
        if (!reauth.isPending) onCancel();
      }}
    >
      <form method="dialog" onSubmit={submit} noValidate>
        <h2 id={titleId}>Confirm it’s you</h2>
        <div className="dialog-body">
          {noWay ? (
            <p>This change needs a recent sign-in. Sign out, sign in again with your provider, and retry.</p>
          ) : (
            <>
              <p>
                {useCode
                  ? 'For your security, enter a code from your authenticator app (or a backup code) to continue.'
                  : 'For your security, enter your password to continue.'}
              </p>
              {open && status.data && (
                <Field
                  key={field}
                  label={useCode ? 'Authentication code' : 'Your password'}
                  name={field}
                  type={useCode ? 'text' : 'password'}
                  autoComplete={useCode ? 'one-time-code' : 'current-password'}
                  autoFocus
                  value={value}
                  onChange={(event) => setValue(event.target.value)}
                  error={errors[field]}
                  required
                />
              )}
            </>
          )}
        </div>
        {message && <Alert tone="error">{message}</Alert>}
        <div className="dialog-actions">
          <button type="button" className="btn btn-secondary" onClick={onCancel} disabled={reauth.isPending}>
            Cancel
          </button>
          {!noWay && (
            <button type="submit" className="btn btn-primary" disabled={reauth.isPending || !value.trim()}>
              {reauth.isPending && <Spinner small />}
              {reauth.isPending ? 'Confirming…' : 'Continue'}
            </button>
          )}
        </div>
      </form>
    </dialog>
  );
}
