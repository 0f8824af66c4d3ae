import { defineConfig } from 'drizzle-kit';

// PostgreSQL migrations: `pnpm --filter @gatehouse/db exec drizzle-kit generate --config drizzle.pg.config.ts`
export default defineConfig({
  dialect: 'postgresql',
  schema: './src/pg-schema.ts',
  out: './migrations/postgres',
});
