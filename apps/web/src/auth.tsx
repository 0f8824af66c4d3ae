import type { MfaChallenge, SignInOutcome } from '@gatehouse/client';
import { useQuery } from '@tanstack/react-query';
import { createContext, type ReactNode, useCallback, useContext, useEffect, useMemo, useRef, useState } from 'react';
import { forgetUserData, gatehouse, onSessionExpired, trpc } from './gatehouse';
import { passkeySignIn } from './passkeys';
import { navigate } from './router';

export type AuthStatus = 'restoring' | 'signed-in' | 'signed-out';

interface AuthContextValue {
  status: AuthStatus;
  /** A message for the sign-in page: why the user is there ("your session has ended"). */
  notice: string | null;
  /** Signs in, or resolves to the second-factor challenge to finish with verifyMfa. */
  signIn(username: string, password: string): Promise<MfaChallenge | null>;
  /** Signs in with the token of a mailed sign-in link (or resolves to the challenge). */
  signInWithLink(token: string): Promise<MfaChallenge | null>;
  /** Finishes a sign-in that asked for a second factor, with a TOTP or backup code. */
  verifyMfa(mfaToken: string, code: string): Promise<void>;
  /** Signs in with a passkey, no username: the browser asks the user for one. */
  signInWithPasskey(): Promise<void>;
  /** Finishes a provider sign-in (or link) on the callback page: the returnTo path, and the challenge if any. */
  completeOAuth(
    provider: string,
    code: string,
    state: string,
  ): Promise<{ returnTo: string | null; challenge: MfaChallenge | null }>;
  /** Ends this session on the server, then locally. */
  signOut(): Promise<void>;
  /** The server has already ended the session (log out everywhere, deactivation): drop it here. */
  endSession(notice: string, returnTo?: string): Promise<void>;
  dismissNotice(): void;
}

const AuthContext = createContext<AuthContextValue | null>(null);

const SESSION_EXPIRED = 'Your session has ended. Sign in again to continue.';

function signInPath(returnTo?: string): string {
  return returnTo && returnTo !== '/' ? `/sign-in?next=${encodeURIComponent(returnTo)}` : '/sign-in';
}

function currentPath(): string {
  return window.location.pathname + window.location.search;
}

export function AuthProvider({ children }: { children: ReactNode }) {
  const [status, setStatus] = useState<AuthStatus>('restoring');
  const [notice, setNotice] = useState<string | null>(null);
  const statusRef = useRef(status);
  statusRef.current = status;

  // A reload keeps the session: the HttpOnly refresh cookie buys a new access token.
  useEffect(() => {
    let live = true;
    gatehouse
      .restore()
      .catch(() => false)
      .then(() => {
        if (live) setStatus(gatehouse.isSignedIn() ? 'signed-in' : 'signed-out');
      });
    return () => {
      live = false;
    };
  }, []);

  const leave = useCallback((message: string | null, returnTo?: string) => {
    setStatus('signed-out');
    setNotice(message);
    navigate(signInPath(returnTo), { replace: true });
  }, []);

  // The client could not refresh (session revoked, expired, password changed elsewhere).
  useEffect(
    () =>
      onSessionExpired(() => {
        if (statusRef.current === 'signed-in') leave(SESSION_EXPIRED, currentPath());
      }),
    [leave],
  );

  // Nothing of the previous user stays cached once signed out.
  useEffect(() => {
    if (status === 'signed-out') forgetUserData();
  }, [status]);

  const signedIn = useCallback(() => {
    forgetUserData();
    setNotice(null);
    setStatus('signed-in');
  }, []);

  // A challenge leaves the user signed out until verifyMfa: nothing is stored yet.
  const settle = useCallback(
    (outcome: SignInOutcome): MfaChallenge | null => {
      if (outcome.mfaRequired) return outcome;
      signedIn();
      return null;
    },
    [signedIn],
  );

  const signIn = useCallback(
    async (username: string, password: string) => settle(await gatehouse.login({ username, password })),
    [settle],
  );

  const signInWithLink = useCallback(async (token: string) => settle(await gatehouse.signInWithLink(token)), [settle]);

  // Cookie mode, as the client was made: the refresh token lands in the HttpOnly cookie.
  const verifyMfa = useCallback(
    async (mfaToken: string, code: string) => {
      await gatehouse.verifyMfa(mfaToken, code);
      signedIn();
    },
    [signedIn],
  );

  const signInWithPasskey = useCallback(async () => {
    await passkeySignIn();
    forgetUserData();
    setNotice(null);
    setStatus('signed-in');
  }, []);

  const completeOAuth = useCallback(async (provider: string, code: string, state: string) => {
    // Cookie mode: the refresh token lands in the HttpOnly cookie, and restore() spends it for
    // an access token kept in memory, as after a reload.
    const result = await gatehouse.trpc.oauth.callback.mutate({ provider, code, state, refreshCookie: true });
    if ('mfaRequired' in result && result.mfaRequired) {
      const challenge: MfaChallenge = { mfaRequired: true, mfaToken: result.mfaToken, methods: [...result.methods] };
      return { returnTo: result.returnTo, challenge };
    }
    await gatehouse.refresh();
    forgetUserData();
    setNotice(null);
    setStatus('signed-in');
    return { returnTo: result.returnTo, challenge: null };
  }, []);

  const signOut = useCallback(async () => {
    await gatehouse.logout().catch(() => undefined);
    leave('You have signed out.');
  }, [leave]);

  const endSession = useCallback(
    async (message: string, returnTo?: string) => {
      await gatehouse.logout().catch(() => undefined);
      leave(message, returnTo);
    },
    [leave],
  );

  const dismissNotice = useCallback(() => setNotice(null), []);

  const value = useMemo(
    () => ({
      status,
      notice,
      signIn,
      signInWithLink,
      verifyMfa,
      signInWithPasskey,
      completeOAuth,
      signOut,
      endSession,
      dismissNotice,
    }),
    [
      status,
      notice,
      signIn,
      signInWithLink,
      verifyMfa,
      signInWithPasskey,
      completeOAuth,
      signOut,
      endSession,
      dismissNotice,
    ],
  );
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

export function useAuth(): AuthContextValue {
  const auth = useContext(AuthContext);
  if (!auth) throw new Error('useAuth must be used inside <AuthProvider>');
  return auth;
}

/** The signed-in user (user.me), shared by every page through the query cache. */
export function useMe() {
  const { status } = useAuth();
  return useQuery({ ...trpc.user.me.queryOptions(), enabled: status === 'signed-in' });
}

/** Sends signed-out visitors to sign-in, remembering where they wanted to go. */
export function RequireAuth({ children }: { children: ReactNode }) {
  const { status } = useAuth();
  useEffect(() => {
    if (status === 'signed-out') navigate(signInPath(currentPath()), { replace: true });
  }, [status]);
  return status === 'signed-in' ? children : null;
}
