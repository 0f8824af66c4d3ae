// The ceiling: a bare node:http JSON endpoint, no framework, in its own process.
import { createServer } from 'node:http';

const body = JSON.stringify({ result: { data: { status: 'ok', version: '0.0.0', db: 'up' } } });
const server = createServer((_req, res) => {
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
});
server.keepAliveTimeout = 5000;
server.listen(0, '127.0.0.1', () => {
  process.send?.({ port: server.address().port });
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
