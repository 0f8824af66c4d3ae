import type { ReactNode } from 'react';

interface AlertProps {
  tone?: 'error' | 'success' | 'info' | 'warning';
  title?: string;
  children: ReactNode;
  className?: string;
}

/** Errors interrupt screen readers (role=alert); everything else is announced politely. */
export function Alert({ tone = 'info', title, children, className }: AlertProps) {
  return (
    <div
      className={`alert alert-${tone}${className ? ` ${className}` : ''}`}
      role={tone === 'error' ? 'alert' : 'status'}
    >
      {title && <strong className="alert-title">{title}</strong>}
      <div>{children}</div>
    </div>
  );
}
