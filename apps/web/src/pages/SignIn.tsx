import { errorReason, type MfaChallenge } from '@gatehouse/client';
import { useMutation } from '@tanstack/react-query';
import { type FormEvent, useEffect, useRef, useState } from 'react';
import { useAuth } from '../auth';
import { Alert } from '../components/Alert';
import { Field } from '../components/Field';
import { Spinner } from '../components/Loading';
import { MfaCodeStep } from '../components/MfaCodeStep';
import { OAuthButtons } from '../components/OAuthButtons';
import { PasskeySignIn } from '../components/PasskeySignIn';
import { UnverifiedNotice } from '../components/UnverifiedNotice';
import { useEmailOptions } from '../email-options';
import { fieldMessages, formMessage } from '../errors';
import { usePageTitle } from '../page';
import { Link, navigate, safeReturnPath, useSearchParam } from '../router';

export function SignIn() {
  usePageTitle('Sign in');
  const { signIn, notice, dismissNotice } = useAuth();
  const next = safeReturnPath(useSearchParam('next'));
  const created = useSearchParam('created') === '1';
  const email = useEmailOptions();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [missing, setMissing] = useState<Record<string, string>>({});
  const [challenge, setChallenge] = useState<MfaChallenge | null>(null);
  const usernameInput = useRef<HTMLInputElement>(null);
  const passwordInput = useRef<HTMLInputElement>(null);

  const login = useMutation({
    mutationFn: (login: string) => signIn(login, password),
    onSuccess: (pending) => {
      if (pending) setChallenge(pending);
      else navigate(next ?? '/profile', { replace: true });
    },
  });

  const server = fieldMessages(login.error);
  const errors = { ...server, ...missing };
  // EMAIL_VERIFICATION=required: the password was right; say what to do instead of "refused".
  const unverified = errorReason(login.error) === 'EMAIL_NOT_VERIFIED';
  const message = unverified ? null : formMessage(login.error, ['username', 'password']);

  // After a refusal, put the cursor where the fix goes.
  useEffect(() => {
    if (!login.error) return;
    const fields = fieldMessages(login.error);
    if (fields.username) usernameInput.current?.focus();
    else passwordInput.current?.select();
  }, [login.error]);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const empty: Record<string, string> = {};
    if (!username.trim()) empty.username = 'Enter your username or email.';
    if (!password) empty.password = 'Enter your password.';
    setMissing(empty);
    if (empty.username) return usernameInput.current?.focus();
    if (empty.password) return passwordInput.current?.focus();
    dismissNotice();
    login.mutate(username.trim());
  };

  if (challenge) {
    return (
      <MfaCodeStep
        challenge={challenge}
        onSignedIn={() => navigate(next ?? '/profile', { replace: true })}
        onStartOver={() => {
          setChallenge(null);
          setPassword('');
          login.reset();
        }}
      />
    );
  }

  return (
    <>
      <h1 tabIndex={-1}>Sign in</h1>
      <p className="lead">Welcome back. Sign in to manage your account and sessions.</p>
      {notice && <Alert tone="info">{notice}</Alert>}
      {created && !notice && <Alert tone="success">Your account is ready. Sign in to continue.</Alert>}
      {message && <Alert tone="error">{message}</Alert>}
      {unverified && <UnverifiedNotice key={login.submittedAt} login={login.variables ?? ''} />}
      <PasskeySignIn next={next} />
      <OAuthButtons returnTo={next} />
      <form className="form" onSubmit={submit} noValidate aria-busy={login.isPending}>
        <Field
          ref={usernameInput}
          label="Username or email"
          name="username"
          autoComplete="username"
          autoCapitalize="none"
          spellCheck={false}
          value={username}
          onChange={(event) => setUsername(event.target.value)}
          error={errors.username}
          required
        />
        <Field
          ref={passwordInput}
          label="Password"
          name="password"
          type="password"
          autoComplete="current-password"
          value={password}
          onChange={(event) => setPassword(event.target.value)}
          error={errors.password}
          required
        />
        <button type="submit" className="btn btn-primary btn-block" disabled={login.isPending}>
          {login.isPending && <Spinner small />}
          {login.isPending ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
      {(email?.passwordReset || email?.signInLinks) && (
        <p className="auth-links">
          {email.passwordReset && <Link to="/forgot-password">Forgot password?</Link>}
          {email.signInLinks && <Link to="/email-sign-in">Email me a sign-in link</Link>}
        </p>
      )}
      <p className="auth-switch">
        New to Gatehouse?{' '}
        <Link to={next ? `/sign-up?next=${encodeURIComponent(next)}` : '/sign-up'}>Create an account</Link>
      </p>
    </>
  );
}
