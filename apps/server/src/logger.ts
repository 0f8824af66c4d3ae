import { type Logger, pino } from 'pino';
import type { Config } from './config.js';

/** Paths pino blanks out wherever they appear, as a second line of defence. */
const REDACTED = [
  'password',
  'newPassword',
  'currentPassword',
  'passwordHash',
  'accessToken',
  'refreshToken',
  'token',
  'secret',
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'apiKey',
  '*.apiKey',
  '*.password',
  '*.passwordHash',
  '*.accessToken',
  '*.refreshToken',
];

/** JSON logs in production, readable ones in development; silent in tests unless asked. */
export function createLogger(config: Pick<Config, 'NODE_ENV' | 'LOG_LEVEL'>): Logger {
  const options = { level: config.LOG_LEVEL, redact: { paths: REDACTED, censor: '[redacted]' } };
  if (config.NODE_ENV === 'development' && process.stdout.isTTY) {
    return pino({ ...options, transport: { target: 'pino-pretty', options: { colorize: true } } });
  }
  // Asynchronous writes: under load, lines written while one write is in flight go out together
  // instead of one blocking write(2) per request; pino flushes what is left when the process exits.
  return pino(options, pino.destination({ dest: 1, sync: false }));
}
