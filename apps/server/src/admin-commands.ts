import { GatehouseError } from '@gatehouse/core';
import { openDatabase, sqlitePath } from '@gatehouse/db';
import { type Config, ConfigError } from './config.js';
import { createServices, databaseTimeouts } from './gatehouse.js';
import { createLogger } from './logger.js';

/** `migrate`: applies pending migrations and exits. */
export async function migrateCommand(config: Config): Promise<void> {
  const db = await openDatabase(config.DATABASE_URL, databaseTimeouts(config));
  await db.close();
  const where = sqlitePath(config.DATABASE_URL) ?? config.DATABASE_URL.replace(/\/\/[^@]*@/, '//');
  process.stdout.write(`migrations applied to ${where}\n`);
}

export interface AdminFlags {
  username?: string | undefined;
  email?: string | undefined;
  password?: string | undefined;
}

/** `create-admin`: creates an admin user from flags, falling back to GATEHOUSE_ADMIN_*. */
export async function createAdminCommand(config: Config, flags: AdminFlags): Promise<void> {
  const username = flags.username ?? config.GATEHOUSE_ADMIN_USERNAME;
  const email = flags.email ?? config.GATEHOUSE_ADMIN_EMAIL;
  const password = flags.password ?? config.GATEHOUSE_ADMIN_PASSWORD;
  if (!username || !email || !password) {
    throw new ConfigError(['create-admin needs --username, --email and --password (or GATEHOUSE_ADMIN_* variables)']);
  }
  const logger = createLogger({ ...config, LOG_LEVEL: 'warn' });
  const services = await createServices(config, logger, { passwordThreads: 1 });
  try {
    const user = await services.accounts.register({ username, email, password }, 'admin', true);
    process.stdout.write(`admin "${user.username}" created (id ${user.id})\n`);
  } catch (error) {
    // A refusal of the account itself (taken name, weak password) is not a configuration problem.
    if (error instanceof GatehouseError) throw new Error(`create-admin: ${error.message}`, { cause: error });
    throw error;
  } finally {
    await services.close();
  }
}

/** `rotate-keys`: adds a new signing key; the old ones stay published until their tokens expire. */
export async function rotateKeysCommand(config: Config): Promise<void> {
  if (config.JWT_ALG === 'HS256') {
    throw new ConfigError([
      'rotate-keys needs JWT_ALG=EdDSA or ES256 (HS256 uses JWT_SECRET; change that secret instead)',
    ]);
  }
  const logger = createLogger({ ...config, LOG_LEVEL: 'warn' });
  const services = await createServices(config, logger, { passwordThreads: 1 });
  try {
    const { kid, retired } = await services.signingKeys!.rotate();
    process.stdout.write(`new signing key ${kid} (${config.JWT_ALG})\n`);
    for (const old of retired) {
      process.stdout.write(`retired ${old.kid}: published until ${old.publishUntil.toISOString()}\n`);
    }
  } finally {
    await services.close();
  }
}
