import { EmailRequestForm } from '../components/EmailRequestForm';
import { gatehouse } from '../gatehouse';
import { usePageTitle } from '../page';
import { Link } from '../router';

const requestLink = (email: string) => gatehouse.trpc.auth.requestSignInLink.mutate({ email });

/** "Email me a sign-in link": the link opens /sign-in-link, which signs the user in. */
export function EmailSignIn() {
  usePageTitle('Sign in by email');
  return (
    <>
      <h1 tabIndex={-1}>Sign in by email</h1>
      <p className="lead">We will mail you a link that signs you in, no password needed. It works for 15 minutes.</p>
      <EmailRequestForm send={requestLink} submitLabel="Email me a sign-in link" what="a sign-in link" />
      <p className="auth-switch">
        <Link to="/sign-in">Sign in with a password</Link>
      </p>
    </>
  );
}
