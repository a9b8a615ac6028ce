import { HttpError } from '../errors.js';
import { ROLES, type Role } from '../store/account-types.js';

const invalid = (message: string) => new HttpError(400, 'invalid_body', message);

export function bodyOf(body: unknown): Record<string, unknown> {
  if (body === undefined || body === null) return {};
  if (typeof body !== 'object' || Array.isArray(body)) throw invalid('the body must be a JSON object');
  return body as Record<string, unknown>;
}

export function emailField(value: unknown, name = 'email'): string {
  if (typeof value !== 'string' || value.length > 254 || !/^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$/.test(value.trim())) {
    throw invalid(`${name} must be an e-mail address`);
  }
  return value.trim();
}

export function textField(value: unknown, name: string, max: number, options: { optional?: boolean; allowEmpty?: boolean } = {}): string | undefined {
  if (value === undefined && options.optional) return undefined;
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused
  if (typeof value !== 'string' || value.length > max || (!options.allowEmpty && value.trim() === '') || /[\u0000-\u001f]/.test(value)) {
    throw invalid(`${name} must be text of ${options.allowEmpty ? 0 : 1} to ${max} characters on one line`);
  }
  return value.trim();
}

export function roleField(value: unknown): Role {
  if (typeof value !== 'string' || !ROLES.includes(value as Role)) throw invalid(`role must be one of ${ROLES.join(', ')}`);
  return value as Role;
}

export function idList(value: unknown, name: string): number[] {
  if (!Array.isArray(value) || value.length > 1000 || value.some((id) => !Number.isSafeInteger(id) || id <= 0)) {
    throw invalid(`${name} must be a list of up to 1000 project ids`);
  }
  return [...new Set(value as number[])];
}

export function secretField(value: unknown, name: string): string {
  if (typeof value !== 'string' || value.length < 10 || value.length > 200) throw invalid(`${name} is missing or malformed`);
  return value;
}
