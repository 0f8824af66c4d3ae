import { type ReactNode, useEffect, useRef } from 'react';
import { RequireAuth, useAuth } from './auth';
import { AppShell, AuthLayout } from './components/AppShell';
import { Loading } from './components/Loading';
import { Admin } from './pages/Admin';
import { ApiKeys } from './pages/ApiKeys';
import { ApiReference } from './pages/ApiReference';
import { AuditLog } from './pages/AuditLog';
import { ConfirmEmailChange } from './pages/ConfirmEmailChange';
import { Device } from './pages/Device';
import { EmailSignIn } from './pages/EmailSignIn';
import { ForgotPassword } from './pages/ForgotPassword';
import { NotFound } from './pages/NotFound';
import { OAuthCallback } from './pages/OAuthCallback';
import { Profile } from './pages/Profile';
import { ResetPassword } from './pages/ResetPassword';
import { Sessions } from './pages/Sessions';
import { SignIn } from './pages/SignIn';
import { SignInLink } from './pages/SignInLink';
import { SignUp } from './pages/SignUp';
import { VerifyEmail } from './pages/VerifyEmail';
import { navigate, safeReturnPath, useLocation } from './router';

const PAGES: Record<string, () => ReactNode> = {
  '/profile': () => <Profile />,
  '/sessions': () => <Sessions />,
  '/admin': () => <Admin />,
  '/admin/audit': () => <AuditLog />,
  '/admin/api-keys': () => <ApiKeys />,
  '/api': () => <ApiReference />,
  '/device': () => <Device />,
};

const PUBLIC_PAGES: Record<string, () => ReactNode> = {
  '/sign-in': () => <SignIn />,
  '/sign-up': () => <SignUp />,
  '/forgot-password': () => <ForgotPassword />,
  '/email-sign-in': () => <EmailSignIn />,
};

/** Pages that mailed links open: they work signed in or not (the link's token is what counts). */
const LINK_PAGES: Record<string, () => ReactNode> = {
  '/verify-email': () => <VerifyEmail />,
  '/reset-password': () => <ResetPassword />,
  '/confirm-email-change': () => <ConfirmEmailChange />,
  '/sign-in-link': () => <SignInLink />,
};

/** Signed-in visitors of sign-in/sign-up and of "/" go on to where they were heading. */
function Redirect({ to }: { to: string }) {
  useEffect(() => navigate(to, { replace: true }), [to]);
  return null;
}

/** After a client-side navigation, move focus to the new page's heading for screen readers. */
function useFocusOnNavigation(pathname: string) {
  const first = useRef(true);
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs on every route change
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    const frame = requestAnimationFrame(() => {
      const heading = document.querySelector<HTMLElement>('main h1');
      (heading ?? document.querySelector<HTMLElement>('main'))?.focus({ preventScroll: false });
    });
    return () => cancelAnimationFrame(frame);
  }, [pathname]);
}

export function App() {
  const { status } = useAuth();
  const { pathname, search } = useLocation();
  useFocusOnNavigation(pathname);

  if (status === 'restoring') {
    return (
      <div className="boot">
        <Loading label="Loading Gatehouse…" />
      </div>
    );
  }

  // Signed in or not: the callback also finishes linking a provider to a signed-in account.
  if (pathname.startsWith('/auth/callback/')) {
    return (
      <AuthLayout>
        <OAuthCallback />
      </AuthLayout>
    );
  }

  const linkPage = LINK_PAGES[pathname];
  if (linkPage) return <AuthLayout>{linkPage()}</AuthLayout>;

  const publicPage = PUBLIC_PAGES[pathname];
  if (publicPage) {
    if (status === 'signed-in') {
      return <Redirect to={safeReturnPath(new URLSearchParams(search).get('next')) ?? '/profile'} />;
    }
    return <AuthLayout>{publicPage()}</AuthLayout>;
  }
  if (pathname === '/') return <Redirect to={status === 'signed-in' ? '/profile' : '/sign-in'} />;

  const page = PAGES[pathname];
  if (!page && status === 'signed-out') {
    return (
      <AuthLayout>
        <NotFound home="/sign-in" />
      </AuthLayout>
    );
  }
  return (
    <RequireAuth>
      <AppShell>{page ? page() : <NotFound home="/profile" />}</AppShell>
    </RequireAuth>
  );
}
