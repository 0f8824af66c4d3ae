import { adminProcedure, authedProcedure, gatehouseRouters, requireRole, router } from '@gatehouse/api';
import { TRPCError } from '@trpc/server';
import { z } from 'zod';
import { NotesStore } from './notes-store.js';

/** The team's own procedures, guarded by Gatehouse's builders: ctx.user is typed and loaded. */
export function createNotesRouter(store = new NotesStore()) {
  return router({
    /** Anyone signed in, viewers included, reads their own notes. */
    mine: authedProcedure.query(({ ctx }) => store.ownedBy(ctx.user.id)),

    /** Viewers are read-only: writing needs the user role or above. */
    add: requireRole('user')
      .input(z.object({ text: z.string().trim().min(1, 'Write something').max(1000) }))
      .mutation(({ ctx, input }) => store.add(ctx.user.id, input.text)),

    remove: requireRole('user')
      .input(z.object({ id: z.number().int().positive() }))
      .mutation(({ ctx, input }) => {
        if (!store.remove(ctx.user.id, input.id)) throw new TRPCError({ code: 'NOT_FOUND', message: 'Note not found' });
        return { ok: true as const };
      }),

    /** Admins see everyone's notes. */
    all: adminProcedure.query(() => store.all()),
  });
}

/** Gatehouse's routers and the team's, side by side in one app router. */
export const notesAppRouter = router({ ...gatehouseRouters, notes: createNotesRouter() });
export type NotesAppRouter = typeof notesAppRouter;
