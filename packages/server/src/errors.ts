/** One error type for every 4xx/5xx the server sends: status, a stable code and a human message. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
    /** Extra fields for the error body, e.g. the position of a query syntax error. */
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

export const badRequest = (code: string, message: string) => new HttpError(400, code, message);
export const notFound = (what: string) => new HttpError(404, 'not_found', `${what} not found`);
