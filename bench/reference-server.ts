/**
 * The machine's ceiling, for scale: a bare node:http server that gunzips each body, JSON.parses
 * every envelope line and answers 200. No framework, no grouping, no storage. Run as its own
 * process; prints `{"port": N}` when listening on 127.0.0.1 and exits on SIGTERM.
 */
import { createServer } from 'node:http';
import { gunzip } from 'node:zlib';

const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    gunzip(Buffer.concat(chunks), (error, body) => {
      if (error) {
        res.writeHead(400).end();
        return;
      }
      let id: unknown;
      try {
        const text = body.toString('utf8');
        let start = 0;
        while (start < text.length) {
          let end = text.indexOf('\n', start);
          if (end === -1) end = text.length;
          if (end > start) {
            const parsed = JSON.parse(text.slice(start, end)) as { event_id?: unknown };
            id ??= parsed.event_id;
          }
          start = end + 1;
        }
      } catch {
        res.writeHead(400).end();
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ id }));
    });
  });
});

server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  process.stdout.write(JSON.stringify({ port: typeof address === 'object' && address ? address.port : 0 }) + '\n');
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
