import { startAuthentication, startRegistration, WebAuthnError } from '@simplewebauthn/browser';
import { gatehouse } from './gatehouse';
import type { WithStepUp } from './step-up';

/* The two passkey ceremonies, browser side: the server's options go to the authenticator through
   @simplewebauthn/browser, and its answer goes back to the server. */

/** Sign-in with no username: any passkey of this site that the browser or a phone offers. */
export async function passkeySignIn(): Promise<void> {
  const { options, challengeId } = await gatehouse.trpc.auth.passkey.options.mutate({});
  const response = await startAuthentication({ optionsJSON: options });
  await gatehouse.signInWithPasskey({ response, challengeId });
}

/**
 * Creates a passkey for the signed-in user and stores it under `name`. Only the storing needs a
 * recent sign-in, and the challenge is used up only when stored: after a step-up the same answer
 * is sent again, so the device is not asked twice.
 */
export async function addPasskey(name: string | undefined, withStepUp: WithStepUp): Promise<void> {
  const { options, challengeId } = await gatehouse.trpc.user.passkeys.registrationOptions.mutate();
  const response = await startRegistration({ optionsJSON: options });
  const input = { response, challengeId, ...(name ? { name } : {}) };
  await withStepUp(() => gatehouse.trpc.user.passkeys.register.mutate(input));
}

/** What to tell the user when the browser's side of a ceremony failed; null when it was the server. */
export function ceremonyMessage(error: unknown): string | null {
  if (error instanceof WebAuthnError || (error instanceof Error && error.name === 'NotAllowedError')) {
    if (error.name === 'NotAllowedError' || ('code' in error && error.code === 'ERROR_CEREMONY_ABORTED'))
      return 'The passkey request was cancelled or timed out.';
    if ('code' in error && error.code === 'ERROR_AUTHENTICATOR_PREVIOUSLY_REGISTERED')
      return 'This device already holds a passkey for your account.';
    return error.message;
  }
  return null;
}
