/**
 * Serves test pages from 127.0.0.1 on a port of their own (another origin than the server): `/`
 * is the given HTML body with the bundled script (an esbuild bundle of the fixture) at its end.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { build } from 'esbuild';

export const CHECKOUT_BODY = `
<h1>Checkout for Dana</h1>
<p>Order note: leave the parcel with the neighbour</p>
<label>Card <input id="card" name="card" autocomplete="off"></label>
<img src="/photo.png" alt="product photo" width="40" height="40">
<button id="pay">Pay now</button>`;

export async function servePage(entry: string, body: string, alias: Record<string, string> = {}): Promise<{ server: Server; url: string }> {
  const bundle = await build({ entryPoints: [entry], bundle: true, write: false, format: 'iife', target: 'es2020', logLevel: 'silent', alias });
  const script = bundle.outputFiles[0]!.text;
  const server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://page.test').pathname;
    if (path === '/app.js') response.writeHead(200, { 'content-type': 'text/javascript' }).end(script);
    else if (path === '/') response.writeHead(200, { 'content-type': 'text/html' }).end(`<!doctype html><title>shop</title><body>${body}<script src="/app.js"></script></body>`);
    else response.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/` };
}
