import { EmailRequestForm } from '../components/EmailRequestForm';
import { gatehouse } from '../gatehouse';
import { usePageTitle } from '../page';
import { Link } from '../router';

const requestReset = (email: string) => gatehouse.trpc.auth.requestPasswordReset.mutate({ email });

export function ForgotPassword() {
  usePageTitle('Forgot password');
  return (
    <>
      <h1 tabIndex={-1}>Forgot your password?</h1>
      <p className="lead">Enter the email address of your account and we will mail you a link to set a new password.</p>
      <EmailRequestForm send={requestReset} submitLabel="Send reset link" what="a link to reset your password" />
      <p className="auth-switch">
        Remembered it? <Link to="/sign-in">Back to sign in</Link>
      </p>
    </>
  );
}
