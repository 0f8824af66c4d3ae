import type { RouterOutputs } from '@gatehouse/client';
import type { ReactNode } from 'react';
import { useMe } from '../auth';
import { Link } from '../router';

type Me = RouterOutputs['user']['me'];

/**
 * The admin pages' client-side guard: anyone else sees a plain refusal and the page's queries
 * never run. The server refuses non-admins anyway; this only keeps the page honest.
 */
export function RequireAdmin({
  title,
  what,
  children,
}: {
  /** The page's heading, kept for the refusal so the visitor knows where they are. */
  title: string;
  /** "User administration", "The audit log": what only admins may see. */
  what: string;
  children: (me: Me) => ReactNode;
}) {
  const { data: me } = useMe();
  if (me?.role !== 'admin') {
    return (
      <>
        <div className="page-header">
          <h1 tabIndex={-1}>{title}</h1>
        </div>
        <section className="card empty-state">
          <h2>You don't have access to this page</h2>
          <p className="muted">{what} is only available to admins.</p>
          <Link to="/profile" className="btn btn-secondary">
            Back to your profile
          </Link>
        </section>
      </>
    );
  }
  return children(me);
}
