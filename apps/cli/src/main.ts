#!/usr/bin/env node
import { run } from './cli.js';

// exitCode rather than exit(): lets pending output flush before the process ends.
process.exitCode = await run(process.argv.slice(2));
