/**
 * Real code that fails in ordinary ways, for the dictionary corpus (see build.mjs). Each scenario
 * throws from genuine library or runtime code, a few calls deep, so the captured stack traces,
 * context lines and messages look like what a Node service sends.
 */
import { readFileSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { inflateSync } from 'node:zlib';
import { URL } from 'node:url';

export class ValidationError extends Error {
  constructor(message, field, options) {
    super(message, options);
    this.name = 'ValidationError';
    this.field = field;
  }
}

export class PaymentDeclinedError extends Error {
  constructor(message, code, options) {
    super(message, options);
    this.name = 'PaymentDeclinedError';
    this.code = code;
  }
}

// --- configuration loading -------------------------------------------------------------------

function parseConfigText(text) {
  return JSON.parse(text);
}

function loadConfigFile(path) {
  const text = readFileSync(path, 'utf8');
  return parseConfigText(text);
}

export function loadServiceConfig(name) {
  return loadConfigFile(`/etc/shop/${name}.json`);
}

export function parseWebhookBody(body) {
  const payload = parseConfigText(body);
  return { id: payload.id, type: payload.type };
}

// --- orders --------------------------------------------------------------------------------------

function lineTotal(line) {
  return line.product.price.amount * line.quantity;
}

function orderSubtotal(order) {
  return order.lines.reduce((sum, line) => sum + lineTotal(line), 0);
}

export function priceOrder(order) {
  const subtotal = orderSubtotal(order);
  const tax = Math.round(subtotal * order.taxRate);
  return { subtotal, tax, total: subtotal + tax };
}

export function formatInvoiceAmount(cents, digits) {
  return (cents / 100).toFixed(digits);
}

export function validateAddress(address) {
  if (!address.postalCode) throw new ValidationError(`postal code is required for ${address.country}`, 'postalCode');
  if (!/^[A-Z]{2}$/.test(address.country)) throw new ValidationError(`unknown country code "${address.country}"`, 'country');
  return address;
}

export function chargeCard(order, attempt) {
  try {
    if (order.card.last4 === '0002') throw new Error(`card_declined: insufficient_funds (attempt ${attempt})`);
  } catch (cause) {
    throw new PaymentDeclinedError(`payment for order ${order.id} was declined`, 'card_declined', { cause });
  }
  return { ok: true };
}

// --- sessions and users --------------------------------------------------------------------------

export function decodeSessionCookie(value) {
  const json = Buffer.from(decodeURIComponent(value), 'base64').toString('utf8');
  return JSON.parse(json);
}

export function userDisplayName(user) {
  return `${user.profile.firstName} ${user.profile.lastName}`.trim();
}

export function permissionsFor(user, resource) {
  return user.roles.flatMap((role) => role.grants[resource]);
}

export function resolveRedirect(target, base) {
  return new URL(target, base).toString();
}

// --- files and storage ---------------------------------------------------------------------------

export async function readUpload(id) {
  const data = await readFile(`/var/lib/shop/uploads/${id}.bin`);
  return data.length;
}

export function attachmentSize(path) {
  return statSync(path).size;
}

export function inflateCachedPage(bytes) {
  return inflateSync(bytes).toString('utf8');
}

export function makeBuffer(size) {
  return new Array(size);
}

export function runReport(rows, columns) {
  const widths = columns.map((column) => Math.max(...rows.map((row) => String(row[column.key]).length)));
  return widths.reduce((sum, width) => sum + width.toFixed(0).length, 0);
}

export function recursiveMenu(node) {
  return [node.label, ...node.children.map(recursiveMenu)];
}

export async function retryWithBackoff(fn, attempts) {
  let lastError;
  for (let i = 0; i < attempts; i++) {
    try {
      return await fn(i);
    } catch (error) {
      lastError = error;
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
  throw new Error(`gave up after ${attempts} attempts`, { cause: lastError });
}

export async function fetchInventory(port, sku) {
  const response = await fetch(`http://127.0.0.1:${port}/inventory/${encodeURIComponent(sku)}`);
  if (!response.ok) throw new Error(`inventory service answered ${response.status} for ${sku}`);
  return response.json();
}
