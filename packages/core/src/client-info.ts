/** Where a request came from, as recorded with sessions and audit events. */
export interface ClientInfo {
  ip: string | null;
  userAgent: string | null;
}
