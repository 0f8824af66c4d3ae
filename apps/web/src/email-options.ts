import { useQuery } from '@tanstack/react-query';
import { trpc } from './gatehouse';

/**
 * Which email flows the server offers (auth.emailOptions). It changes only with the server's
 * configuration, so one answer serves the whole visit; until it arrives nothing optional shows.
 */
export function useEmailOptions() {
  return useQuery({ ...trpc.auth.emailOptions.queryOptions(), staleTime: Number.POSITIVE_INFINITY }).data;
}
