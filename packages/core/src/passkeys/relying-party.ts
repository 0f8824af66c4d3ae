/**
 * Who the browser must think it is talking to: the RP ID is PUBLIC_URL's host name and the
 * expected origin PUBLIC_URL's origin, so a page on any other site cannot use the answers.
 */
export interface RelyingParty {
  /** Shown by the authenticator ("Gatehouse"). */
  name: string;
  id: string;
  origin: string;
}

export function relyingPartyFor(publicUrl: string, name: string): RelyingParty {
  const url = new URL(publicUrl);
  return { name, id: url.hostname, origin: url.origin };
}
