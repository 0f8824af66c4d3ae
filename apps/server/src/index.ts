export { type Config, ConfigError, loadConfig } from './config.js';
export { loadEnvFile } from './env-file.js';
export { type RunningGatehouse, startGatehouse } from './gatehouse.js';
export { BODY_LIMIT_BYTES, createHttpServer } from './http-server.js';
export { createLogger } from './logger.js';
export { RELAXED_RATE_LIMITS } from './relaxed-limits.js';
