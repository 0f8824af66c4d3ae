import { createRequire } from 'node:module';
import type { Redis as RedisClient } from 'ioredis';

/** ioredis, loaded only where Redis is used: it weighs ≈ 25 MB of resident memory. */
export function loadRedis(): typeof RedisClient {
  const require = createRequire(import.meta.url);
  return (require('ioredis') as { Redis: typeof RedisClient }).Redis;
}
