export { isPostgresUrl, sqlitePath } from './database-url.js';
export * from './device-records.js';
export * from './email-records.js';
export * from './errors.js';
export { type OpenDatabaseOptions, openDatabase } from './open-database.js';
export * from './records.js';
export * from './webauthn-records.js';
