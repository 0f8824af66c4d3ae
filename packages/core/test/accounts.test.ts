import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type AuthServices, GatehouseError } from '../src/index.js';
import { createTestServices } from '../src/testing.js';

/** The account rules hold for every way in, not only for the API's input schemas. */
describe('account rules enforced by core', () => {
  let services: AuthServices;
  beforeEach(async () => {
    services = await createTestServices();
  });
  afterEach(() => services.close());

  async function refusal(work: Promise<unknown>): Promise<{ kind: string; field?: string; message: string }> {
    const error = await work.then(
      () => null,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(GatehouseError);
    const { kind, field, message } = error as GatehouseError;
    return field === undefined ? { kind, message } : { kind, field, message };
  }

  it('refuses a bad username, email or password at registration, naming the field', async () => {
    const good = { username: 'erin', email: 'erin@example.com', password: 'password-1' };
    expect(await refusal(services.accounts.register({ ...good, username: 'bad name' }))).toMatchObject({
      kind: 'BAD_REQUEST',
      field: 'username',
      message: expect.stringMatching(/^Username may contain only/),
    });
    expect(await refusal(services.accounts.register({ ...good, email: 'not-an-address' }))).toMatchObject({
      kind: 'BAD_REQUEST',
      field: 'email',
    });
    expect(await refusal(services.accounts.register({ ...good, password: 'password123' }))).toMatchObject({
      kind: 'BAD_REQUEST',
      field: 'password',
      message: expect.stringMatching(/too common/),
    });
    const user = await services.accounts.register({ ...good, username: ' Ｅrin2 ', fullName: '  ' });
    expect(user).toMatchObject({ username: 'Erin2', fullName: null, role: 'user' });
  });

  it('holds the first-admin bootstrap to the same rules, once', async () => {
    const admin = { username: '-root', email: 'root@example.com', password: 'root-password' };
    expect(await refusal(services.accounts.ensureAdmin(admin))).toMatchObject({ field: 'username' });
    expect(await services.accounts.ensureAdmin({ ...admin, username: 'root' })).toBe('created');
    expect(await services.accounts.ensureAdmin({ ...admin, username: 'root2', email: 'r2@example.com' })).toBe(
      'admin_exists',
    );
  });

  it('checks a profile change of email with the email rule', async () => {
    const user = await services.accounts.register({
      username: 'fay',
      email: 'fay@example.com',
      password: 'password-1',
    });
    expect(await refusal(services.accounts.updateProfile(user.id, { email: 'fay@' }))).toMatchObject({
      field: 'email',
    });
    expect((await services.accounts.findById(user.id))?.email).toBe('fay@example.com');
  });
});
