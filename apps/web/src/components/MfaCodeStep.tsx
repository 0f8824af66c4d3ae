import type { MfaChallenge } from '@gatehouse/client';
import { useMutation } from '@tanstack/react-query';
import { type FormEvent, useEffect, useRef, useState } from 'react';
import { useAuth } from '../auth';
import { fieldMessages, formMessage } from '../errors';
import { Alert } from './Alert';
import { Field } from './Field';
import { Spinner } from './Loading';

interface MfaCodeStepProps {
  challenge: MfaChallenge;
  /** The session is open: go where the user was headed. */
  onSignedIn: () => void;
  /** Back to the first factor (the challenge lasts five minutes and five wrong codes). */
  onStartOver: () => void;
}

/**
 * The second step of a sign-in whose account has an authenticator app: a TOTP or backup code
 * finishes the pending sign-in (auth.mfa.verify). A wrong code keeps the challenge, so the user
 * can simply try again.
 */
export function MfaCodeStep({ challenge, onSignedIn, onStartOver }: MfaCodeStepProps) {
  const { verifyMfa } = useAuth();
  const [code, setCode] = useState('');
  const [missing, setMissing] = useState(false);
  const input = useRef<HTMLInputElement>(null);
  const verify = useMutation({
    mutationFn: (value: string) => verifyMfa(challenge.mfaToken, value),
    onSuccess: onSignedIn,
  });

  useEffect(() => {
    input.current?.focus();
  }, []);
  useEffect(() => {
    if (verify.error) input.current?.select();
  }, [verify.error]);

  const error = missing ? 'Enter a code.' : fieldMessages(verify.error).code;
  const message = formMessage(verify.error, ['code']);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const value = code.trim();
    setMissing(!value);
    if (value) verify.mutate(value);
    else input.current?.focus();
  };

  return (
    <>
      <h1 tabIndex={-1}>Two-step verification</h1>
      <p className="lead">Enter the 6-digit code from your authenticator app, or a backup code.</p>
      {message && <Alert tone="error">{message}</Alert>}
      <form className="form" onSubmit={submit} noValidate aria-busy={verify.isPending}>
        <Field
          ref={input}
          label="Code"
          name="code"
          autoComplete="one-time-code"
          autoCapitalize="characters"
          spellCheck={false}
          hint="Backup codes look like K7QX-M3P9RT; each works once."
          value={code}
          onChange={(event) => setCode(event.target.value)}
          error={error}
          required
        />
        <button type="submit" className="btn btn-primary btn-block" disabled={verify.isPending}>
          {verify.isPending && <Spinner small />}
          {verify.isPending ? 'Verifying…' : 'Verify'}
        </button>
      </form>
      <p className="auth-switch">
        <button type="button" className="btn btn-ghost" onClick={onStartOver}>
          Start over
        </button>
      </p>
    </>
  );
}
