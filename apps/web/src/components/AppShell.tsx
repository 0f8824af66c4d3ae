import { useQueryClient } from '@tanstack/react-query';
import { type ReactNode, useEffect, useRef, useState } from 'react';
import { useAuth, useMe } from '../auth';
import { errorCode, errorMessage } from '../errors';
import { trpc } from '../gatehouse';
import { Link, useLocation } from '../router';
import { LoadError, Loading, Spinner } from './Loading';
import { Logo } from './Logo';
import { VerifyEmailBanner } from './VerifyEmailBanner';

function NavLink({ to, children }: { to: string; children: ReactNode }) {
  const { pathname } = useLocation();
  const active = pathname === to;
  return (
    <Link to={to} className={`nav-link${active ? ' active' : ''}`} aria-current={active ? 'page' : undefined}>
      {children}
    </Link>
  );
}

/**
 * Checks the account again on every navigation, so a revoked session, a deactivation or a role
 * change shows up on the next page rather than on the next mutation.
 */
function useRecheckOnNavigation() {
  const queryClient = useQueryClient();
  const { pathname } = useLocation();
  const first = useRef(true);
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs on every route change
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    void queryClient.invalidateQueries({ queryKey: trpc.user.me.queryKey() });
  }, [pathname, queryClient]);
}

/** The signed-in frame: top bar with navigation and account, then the page. */
export function AppShell({ children }: { children: ReactNode }) {
  const { signOut, endSession } = useAuth();
  const me = useMe();
  const [signingOut, setSigningOut] = useState(false);
  useRecheckOnNavigation();

  // A deactivated account is refused with FORBIDDEN on every call: there is nothing to show.
  useEffect(() => {
    if (me.error && errorCode(me.error) === 'FORBIDDEN') void endSession(errorMessage(me.error));
  }, [me.error, endSession]);

  const user = me.data;
  return (
    <div className="app">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <div className="topbar-inner">
          <Link to="/profile" className="brand">
            <Logo />
            <span>Gatehouse</span>
          </Link>
          <nav aria-label="Main" className="nav">
            <NavLink to="/profile">Profile</NavLink>
            <NavLink to="/sessions">Sessions</NavLink>
            <NavLink to="/device">Device</NavLink>
            <NavLink to="/api">API</NavLink>
            {user?.role === 'admin' && (
              <>
                <NavLink to="/admin">Users</NavLink>
                <NavLink to="/admin/audit">Audit log</NavLink>
                <NavLink to="/admin/api-keys">API keys</NavLink>
              </>
            )}
          </nav>
          <div className="account">
            {user && (
              <span className="account-name" title={user.email}>
                <span className="avatar" aria-hidden="true">
                  {(user.fullName || user.username).charAt(0).toUpperCase()}
                </span>
                <span>{user.fullName || user.username}</span>
                <span className={`badge badge-${user.role}`}>{user.role}</span>
              </span>
            )}
            <button
              type="button"
              className="btn btn-ghost"
              disabled={signingOut}
              onClick={() => {
                setSigningOut(true);
                void signOut().finally(() => setSigningOut(false));
              }}
            >
              {signingOut && <Spinner small />}
              {signingOut ? 'Signing out…' : 'Sign out'}
            </button>
          </div>
        </div>
      </header>
      <main id="main" className="page" tabIndex={-1}>
        {user ? (
          <>
            <VerifyEmailBanner user={user} />
            {children}
          </>
        ) : me.error ? (
          <LoadError error={me.error} what="your account" onRetry={() => void me.refetch()} />
        ) : (
          <Loading label="Loading your account…" />
        )}
      </main>
    </div>
  );
}

/** The signed-out frame: a centred card under the product name. */
export function AuthLayout({ children }: { children: ReactNode }) {
  return (
    <div className="auth-layout">
      <div className="auth-brand">
        <Logo />
        <span>Gatehouse</span>
      </div>
      <main id="main" className="auth-card" tabIndex={-1}>
        {children}
      </main>
      <p className="auth-footer">Accounts, sessions and roles for TypeScript apps.</p>
    </div>
  );
}
