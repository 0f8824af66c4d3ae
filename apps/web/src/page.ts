import { useEffect } from 'react';

/** Sets the tab title for the page. */
export function usePageTitle(title: string): void {
  useEffect(() => {
    document.title = `${title} · Gatehouse`;
  }, [title]);
}
