export * from './errors.js';
export { type OpenDatabaseOptions, openDatabase, sqlitePath } from './open-database.js';
export { isPostgresUrl } from './pg-database.js';
export * from './records.js';
