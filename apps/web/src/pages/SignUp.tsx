import { useMutation } from '@tanstack/react-query';
import { type FormEvent, useEffect, useRef, useState } from 'react';
import { useAuth } from '../auth';
import { Alert } from '../components/Alert';
import { Field } from '../components/Field';
import { Spinner } from '../components/Loading';
import { fieldMessages, formMessage } from '../errors';
import { gatehouse } from '../gatehouse';
import { usePageTitle } from '../page';
import { Link, navigate, safeReturnPath, useSearchParam } from '../router';

const FIELDS = ['username', 'email', 'fullName', 'password'] as const;
type FieldName = (typeof FIELDS)[number] | 'confirm';

export function SignUp() {
  usePageTitle('Create account');
  const { signIn } = useAuth();
  const next = safeReturnPath(useSearchParam('next'));
  const [values, setValues] = useState({ username: '', email: '', fullName: '', password: '', confirm: '' });
  const [local, setLocal] = useState<Partial<Record<FieldName, string>>>({});
  const form = useRef<HTMLFormElement>(null);

  const register = useMutation({
    mutationFn: async () => {
      const { username, email, fullName, password } = values;
      await gatehouse.register({
        username: username.trim(),
        email: email.trim(),
        password,
        ...(fullName.trim() ? { fullName: fullName.trim() } : {}),
      });
      try {
        await signIn(username.trim(), password);
        return true;
      } catch {
        return false; // The account exists; signing in can be retried on its own page.
      }
    },
    onSuccess: (signedIn) => {
      if (signedIn) navigate(next ?? '/profile', { replace: true });
      else navigate(`/sign-in?created=1${next ? `&next=${encodeURIComponent(next)}` : ''}`, { replace: true });
    },
  });

  const errors: Partial<Record<FieldName, string>> = { ...fieldMessages(register.error), ...local };
  const message = formMessage(register.error, FIELDS);

  // Focus the first field the server (or the form) complained about.
  useEffect(() => {
    if (!register.error && Object.keys(local).length === 0) return;
    form.current?.querySelector<HTMLInputElement>('[aria-invalid="true"]')?.focus();
  }, [register.error, local]);

  const set = (name: keyof typeof values) => (event: { target: { value: string } }) =>
    setValues((v) => ({ ...v, [name]: event.target.value }));

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const problems: Partial<Record<FieldName, string>> = {};
    if (!values.username.trim()) problems.username = 'Choose a username.';
    if (!values.email.trim()) problems.email = 'Enter your email address.';
    if (values.password.length < 8) problems.password = 'Password must be at least 8 characters.';
    if (values.confirm !== values.password) problems.confirm = 'The passwords do not match.';
    setLocal(problems);
    if (Object.keys(problems).length === 0) register.mutate();
  };

  return (
    <>
      <h1 tabIndex={-1}>Create your account</h1>
      <p className="lead">It takes a minute. You can change these details later.</p>
      {message && <Alert tone="error">{message}</Alert>}
      <form ref={form} className="form" onSubmit={submit} noValidate aria-busy={register.isPending}>
        <Field
          label="Username"
          name="username"
          autoComplete="username"
          autoCapitalize="none"
          spellCheck={false}
          hint="3–32 letters, digits, “.”, “_” or “-”."
          value={values.username}
          onChange={set('username')}
          error={errors.username}
          required
        />
        <Field
          label="Email"
          name="email"
          type="email"
          autoComplete="email"
          value={values.email}
          onChange={set('email')}
          error={errors.email}
          required
        />
        <Field
          label="Full name (optional)"
          name="fullName"
          autoComplete="name"
          value={values.fullName}
          onChange={set('fullName')}
          error={errors.fullName}
        />
        <Field
          label="Password"
          name="password"
          type="password"
          autoComplete="new-password"
          hint="At least 8 characters."
          value={values.password}
          onChange={set('password')}
          error={errors.password}
          required
        />
        <Field
          label="Confirm password"
          name="confirm"
          type="password"
          autoComplete="new-password"
          value={values.confirm}
          onChange={set('confirm')}
          error={errors.confirm}
          required
        />
        <button type="submit" className="btn btn-primary btn-block" disabled={register.isPending}>
          {register.isPending && <Spinner small />}
          {register.isPending ? 'Creating account…' : 'Create account'}
        </button>
      </form>
      <p className="auth-switch">
        Already have an account?{' '}
        <Link to={next ? `/sign-in?next=${encodeURIComponent(next)}` : '/sign-in'}>Sign in</Link>
      </p>
    </>
  );
}
