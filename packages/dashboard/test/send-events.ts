/**
 * Test data sent through the official Sentry Node SDK (drop-in compatibility is the point): a
 * checkout bug seen by one enterprise and three free accounts, a payment bug, and an error whose
 * message and tags carry HTML payloads that must stay text in the dashboard.
 */
import * as Sentry from '@sentry/node';

export const XSS_MESSAGE = '<img src=x onerror="window.__xss=1"><script>window.__xss=2</script>';
export const XSS_TAG_SCRIPT = '<script>window.__xss=3</script>';
export const XSS_TAG_IMG = '<img src=x onerror="window.__xss=4">';

class CheckoutError extends Error {
  override name = 'CheckoutError';
}
class PaymentError extends Error {
  override name = 'PaymentError';
}

function checkout(): never {
  throw new CheckoutError("Cannot read properties of undefined (reading 'id')");
}
function pay(): never {
  throw new PaymentError('Payment declined by the card issuer');
}
function renderProfile(): never {
  throw new Error(XSS_MESSAGE);
}

function capture(fn: () => never, setup: (scope: Sentry.Scope) => void) {
  try {
    fn();
  } catch (error) {
    Sentry.withScope((scope) => {
      setup(scope);
      Sentry.captureException(error);
    });
  }
}

export async function sendEvents(dsn: string): Promise<void> {
  Sentry.init({ dsn, defaultIntegrations: false, environment: 'production', release: 'shop@2.4.0' });
  const tiers = ['enterprise', 'free', 'free', 'free'];
  tiers.forEach((tier, i) =>
    capture(checkout, (scope) => {
      scope.setTag('tier', tier);
      scope.setTag('flag_new_checkout', i % 2 === 0 ? 'true' : 'false');
      scope.setTag('region', 'eu-west-1');
      scope.setUser({ id: `user-${i}`, email: `user${i}@acme.example` });
      scope.setContext('account', { id: tier === 'enterprise' ? 'acme' : `small-${i}`, name: tier === 'enterprise' ? 'Acme Corp' : `Shop ${i}` });
      scope.setExtra('cart', { items: [{ sku: 'A-1', qty: 2 }], total: 42.5, coupon: null });
      scope.addBreadcrumb({ category: 'ui.click', message: 'button#pay', level: 'info' });
      scope.addBreadcrumb({ category: 'fetch', type: 'http', level: 'error', data: { url: '/api/checkout', status_code: 500 } });
      // An invalid tag key: the server drops it and records why on the event.
      if (i === 3) scope.setTag('bad key!', 'x');
    }),
  );
  for (let i = 0; i < 2; i++) {
    capture(pay, (scope) => {
      scope.setTag('tier', 'free');
      scope.setUser({ id: `payer-${i}` });
    });
  }
  capture(renderProfile, (scope) => {
    scope.setTag('tier', XSS_TAG_SCRIPT);
    scope.setTag('nickname', XSS_TAG_IMG);
    scope.setUser({ id: 'mallory', email: XSS_TAG_IMG });
    scope.setExtra('bio', XSS_MESSAGE);
    scope.addBreadcrumb({ category: 'console', message: XSS_TAG_SCRIPT, level: 'warning' });
  });
  if (!(await Sentry.flush(5000))) throw new Error('Sentry did not flush the test events');
  await Sentry.close(2000);
}
