import { usePageTitle } from '../page';
import { Link } from '../router';

export function NotFound({ home }: { home: string }) {
  usePageTitle('Page not found');
  return (
    <section className="empty-state">
      <h1 tabIndex={-1}>Page not found</h1>
      <p className="muted">There is nothing at this address.</p>
      <Link to={home} className="btn btn-secondary">
        Go to the start page
      </Link>
    </section>
  );
}
