/** Whether an address is confirmed, as a small badge next to it. */
export function EmailStatus({ verified }: { verified: boolean }) {
  return verified ? (
    <span className="badge badge-plain badge-success">Verified</span>
  ) : (
    <span className="badge badge-plain badge-warning">Not verified</span>
  );
}
