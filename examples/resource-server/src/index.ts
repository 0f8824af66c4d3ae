export { createResourceServer } from './resource-server.js';
