import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';

/**
 * Answers what Node's HTTP parser refuses before any route sees it (an oversized header, a
 * malformed request line, a request timeout) in our error shape, with `Connection: close`.
 * Fastify's default answer omitted that header and then reset the socket, so a keep-alive client
 * that had already queued its next request on the connection lost it (ECONNRESET). Here the socket
 * is ended gracefully and the rest of the refused request is read and discarded, so the client
 * receives the answer rather than a reset and knows to open a new connection.
 */
export function answerClientError(error: Error & { code?: string }, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, code, message] =
    error.code === 'HPE_HEADER_OVERFLOW'
      ? [431, 'header_too_large', 'The request headers are larger than the limit of 16 KiB']
      : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [408, 'request_timeout', 'The request was not received in time']
        : [400, 'malformed_request', 'The request is not valid HTTP'];
  const body = JSON.stringify({ error: { code, message } });
  if (socket.writable) {
    socket.end(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nConnection: close\r\nContent-Type: application/json; charset=utf-8\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
  }
  socket.on('error', () => {});
  socket.resume();
  setTimeout(() => socket.destroy(), 5_000).unref();
}
