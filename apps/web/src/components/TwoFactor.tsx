import './two-factor.css';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import QRCode from 'qrcode';
import { type FormEvent, useEffect, useState } from 'react';
import { errorMessage, fieldMessages, formMessage } from '../errors';
import { gatehouse, trpc } from '../gatehouse';
import { useStepUp, type WithStepUp } from '../step-up';
import { Alert } from './Alert';
import { ConfirmDialog } from './ConfirmDialog';
import { Field } from './Field';
import { Spinner } from './Loading';

/**
 * Two-step verification: set up an authenticator app (user.mfa.totp.setup → enable), show the
 * backup codes once, regenerate them, or turn the app off. The changes need a recent sign-in.
 */
export function TwoFactor() {
  const queryClient = useQueryClient();
  const status = useQuery(trpc.user.mfa.status.queryOptions());
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.user.mfa.status.queryKey() });
  const { withStepUp, dialog } = useStepUp();
  const [codes, setCodes] = useState<string[] | null>(null);
  // A new pending secret each time: setup replaces the previous one on the server.
  const setup = useMutation(trpc.user.mfa.totp.setup.mutationOptions());
  const [confirmOff, setConfirmOff] = useState(false);
  const [turnedOff, setTurnedOff] = useState(false);

  const regenerate = useMutation({
    mutationFn: () => withStepUp(() => gatehouse.trpc.user.mfa.backupCodes.regenerate.mutate()),
    onSuccess: (result) => {
      setCodes(result.backupCodes);
      return refresh();
    },
  });
  const disable = useMutation({
    mutationFn: () => withStepUp(() => gatehouse.trpc.user.mfa.disable.mutate()),
    onSuccess: () => {
      setConfirmOff(false);
      setCodes(null);
      setTurnedOff(true);
      return refresh();
    },
  });

  const on = status.data?.totp === true;
  return (
    <section className="card" aria-labelledby="two-factor-heading">
      <h2 id="two-factor-heading">Two-step verification</h2>
      <p className="muted">
        After your password, sign-in asks for a code from an authenticator app on your phone, so a stolen password is
        not enough.
      </p>
      {status.error && <Alert tone="error">{errorMessage(status.error)}</Alert>}
      {turnedOff && !on && <Alert tone="success">Two-step verification is off.</Alert>}
      {codes && <BackupCodes codes={codes} onDone={() => setCodes(null)} />}
      {status.data && on && (
        <>
          <p className="two-factor-status">
            <span className="badge badge-current">On</span> Authenticator app ·{' '}
            {status.data.backupCodesLeft === 1
              ? '1 backup code left'
              : `${status.data.backupCodesLeft} backup codes left`}
          </p>
          {regenerate.error && <Alert tone="error">{errorMessage(regenerate.error)}</Alert>}
          <div className="two-factor-actions">
            <button
              type="button"
              className="btn btn-secondary"
              disabled={regenerate.isPending}
              onClick={() => regenerate.mutate()}
            >
              {regenerate.isPending && <Spinner small />}
              Regenerate backup codes
            </button>
            <button
              type="button"
              className="btn btn-danger-outline"
              onClick={() => {
                disable.reset();
                setConfirmOff(true);
              }}
            >
              Turn off
            </button>
          </div>
        </>
      )}
      {setup.error && <Alert tone="error">{errorMessage(setup.error)}</Alert>}
      {status.data && !on && !setup.data && (
        <button
          type="button"
          className="btn btn-primary"
          disabled={setup.isPending}
          onClick={() => {
            setTurnedOff(false);
            setup.mutate();
          }}
        >
          {setup.isPending && <Spinner small />}
          Set up an authenticator app
        </button>
      )}
      {status.data && !on && setup.data && (
        <TotpSetup
          secret={setup.data.secret}
          otpauthUri={setup.data.otpauthUri}
          withStepUp={withStepUp}
          onCancel={() => setup.reset()}
          onEnabled={(backupCodes) => {
            setup.reset();
            setCodes(backupCodes);
            return refresh();
          }}
        />
      )}
      <ConfirmDialog
        open={confirmOff}
        title="Turn off two-step verification?"
        confirmLabel="Turn off"
        pendingLabel="Turning off…"
        danger
        pending={disable.isPending}
        error={disable.error ? errorMessage(disable.error) : null}
        onConfirm={() => disable.mutate()}
        onCancel={() => setConfirmOff(false)}
      >
        <p>Sign-in will ask only for your password. Your backup codes stop working.</p>
      </ConfirmDialog>
      {dialog}
    </section>
  );
}

interface TotpSetupProps {
  secret: string;
  otpauthUri: string;
  withStepUp: WithStepUp;
  onEnabled: (backupCodes: string[]) => void;
  onCancel: () => void;
}

/** A new pending secret as a QR code (and as text), confirmed with the first code the app shows. */
function TotpSetup({ secret, otpauthUri: uri, withStepUp, onEnabled, onCancel }: TotpSetupProps) {
  const [qr, setQr] = useState<string | null>(null);
  const [code, setCode] = useState('');
  const enable = useMutation({
    mutationFn: (value: string) => withStepUp(() => gatehouse.trpc.user.mfa.totp.enable.mutate({ code: value })),
    onSuccess: (result) => onEnabled(result.backupCodes),
  });

  useEffect(() => {
    let live = true;
    QRCode.toDataURL(uri, { margin: 1, width: 184 }).then((url) => {
      if (live) setQr(url);
    });
    return () => {
      live = false;
    };
  }, [uri]);

  const errors = fieldMessages(enable.error);
  const message = formMessage(enable.error, ['code']);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (code.trim()) enable.mutate(code.trim());
  };

  return (
    <div className="totp-setup">
      {qr ? <img className="totp-qr" src={qr} alt="QR code for your authenticator app" /> : <div className="totp-qr" />}
      <div>
        <p>1. Scan the QR code with your authenticator app, or type in this key:</p>
        <p className="totp-secret" data-testid="totp-secret">
          {secret}
        </p>
        <p>2. Enter the 6-digit code the app shows.</p>
        {message && <Alert tone="error">{message}</Alert>}
        <form className="form" onSubmit={submit} noValidate aria-busy={enable.isPending}>
          <Field
            label="Code from the app"
            name="code"
            autoComplete="one-time-code"
            inputMode="numeric"
            value={code}
            onChange={(event) => setCode(event.target.value)}
            error={errors.code}
            required
          />
          <div className="form-actions">
            <button type="submit" className="btn btn-primary" disabled={enable.isPending || !code.trim()}>
              {enable.isPending && <Spinner small />}
              {enable.isPending ? 'Turning on…' : 'Turn on'}
            </button>
            <button type="button" className="btn btn-ghost" onClick={onCancel}>
              Cancel
            </button>
          </div>
        </form>
      </div>
    </div>
  );
}

/** The backup codes, shown this once: the server keeps only their hashes. */
function BackupCodes({ codes, onDone }: { codes: string[]; onDone: () => void }) {
  return (
    <Alert tone="warning" title="Save your backup codes">
      <p>Each code signs you in once if you lose your phone. They are shown only now: keep them somewhere safe.</p>
      <ul className="backup-codes" aria-label="Backup codes">
        {codes.map((code) => (
          <li key={code}>{code}</li>
        ))}
      </ul>
      <button type="button" className="btn btn-secondary" onClick={onDone}>
        I have saved them
      </button>
    </Alert>
  );
}
