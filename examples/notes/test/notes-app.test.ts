import { createGatehouseClient, errorCode } from '@gatehouse/client';
import { databaseOf } from '@gatehouse/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type NotesAppRouter, type NotesServer, startNotesServer } from '../src/index.js';

describe('a team app built on Gatehouse', () => {
  let app: NotesServer;
  beforeAll(async () => {
    app = await startNotesServer({ jwtSecret: 'notes-example-secret-0123456789abcdef', bcryptCost: 4 });
    await app.services.accounts.register(
      { username: 'boss', email: 'boss@example.com', password: 'boss-password' },
      'admin',
    );
  });
  afterAll(() => app.close());

  async function signedIn(username: string) {
    const client = createGatehouseClient<NotesAppRouter>({ url: app.url });
    await client.register({ username, email: `${username}@example.com`, password: 'password-1' }).catch(() => {});
    await client.login({ username, password: 'password-1' });
    return client;
  }

  it('keeps each user to their own notes, with the merged router fully typed', async () => {
    const ann = await signedIn('ann');
    const ben = await signedIn('ben');
    const note = await ann.trpc.notes.add.mutate({ text: 'buy milk' });
    expect(note).toMatchObject({ text: 'buy milk', ownerId: (await ann.trpc.user.me.query()).id });
    expect(await ben.trpc.notes.mine.query()).toEqual([]);
    const stolen = await ben.trpc.notes.remove.mutate({ id: note.id }).catch((e: unknown) => e);
    expect(errorCode(stolen)).toBe('NOT_FOUND');
    expect((await ann.trpc.notes.mine.query()).map((n) => n.text)).toEqual(['buy milk']);
  });

  it('lets viewers read but not write, and only admins list everything', async () => {
    const vic = await signedIn('vic');
    const me = await vic.trpc.user.me.query();
    await databaseOf(app.services).users.update(me.id, { role: 'viewer' }, new Date());
    expect(await vic.trpc.notes.mine.query()).toEqual([]);
    expect(errorCode(await vic.trpc.notes.add.mutate({ text: 'x' }).catch((e: unknown) => e))).toBe('FORBIDDEN');
    expect(errorCode(await vic.trpc.notes.all.query().catch((e: unknown) => e))).toBe('FORBIDDEN');

    const boss = createGatehouseClient<NotesAppRouter>({ url: app.url });
    await boss.login({ username: 'boss', password: 'boss-password' });
    expect((await boss.trpc.notes.all.query()).length).toBeGreaterThanOrEqual(1);
  });

  it('refuses anonymous calls and validates input with the field named', async () => {
    const anonymous = createGatehouseClient<NotesAppRouter>({ url: app.url });
    expect(errorCode(await anonymous.trpc.notes.mine.query().catch((e: unknown) => e))).toBe('UNAUTHORIZED');
    const ann = await signedIn('ann');
    const empty = await ann.trpc.notes.add.mutate({ text: '   ' }).catch((e: unknown) => e);
    expect(errorCode(empty)).toBe('BAD_REQUEST');
    expect(String((empty as Error).message)).toMatch(/^text: Write something/);
  });
});
