/** Browser global capture: window `error` and `unhandledrejection`. */
import type { Client, Integration } from '../core/index.js';

export function globalHandlersIntegration(): Integration {
  let onError: ((event: ErrorEvent) => void) | undefined;
  let onRejection: ((event: PromiseRejectionEvent) => void) | undefined;
  return {
    name: 'GlobalHandlers',
    setup(client: Client) {
      onError = (event) => {
        const error = event.error;
        if (error === undefined || error === null) {
          // "Script error." from a cross-origin script has no detail to act on
          if (!event.message || /^Script error\.?$/.test(event.message)) return;
          const synthetic = new Error(event.message);
          synthetic.stack = `Error: ${event.message}\n    at ? (${event.filename}:${event.lineno}:${event.colno})`;
          client.captureException(synthetic, { mechanism: { type: 'onerror', handled: false } });
          return;
        }
        client.captureException(error, { mechanism: { type: 'onerror', handled: false } });
      };
      onRejection = (event) => {
        client.captureException(event.reason, { mechanism: { type: 'onunhandledrejection', handled: false } });
      };
      addEventListener('error', onError);
      addEventListener('unhandledrejection', onRejection);
    },
    teardown() {
      if (onError) removeEventListener('error', onError);
      if (onRejection) removeEventListener('unhandledrejection', onRejection);
    },
  };
}
