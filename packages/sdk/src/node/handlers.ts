/**
 * Process-level capture: `uncaughtException` and `unhandledRejection`. Registering a listener
 * changes what Node does, so when ours is the only one we do what Node would have done after
 * sending the event: print the error and exit with code 1 (for rejections, unless Node was started
 * with --unhandled-rejections=warn or none). Also flushes before a normal exit.
 */
import { getClient, safeString, type Client, type Integration } from '../core/index.js';

function unhandledRejectionsMode(): string {
  const flags = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)];
  for (const flag of flags) {
    const match = /^--unhandled-rejections=(\w[\w-]*)$/.exec(flag);
    if (match) return match[1]!;
  }
  return 'throw';
}

function printAndExit(error: unknown, client: Client | undefined, timeout: number): void {
  const done = () => {
    try {
      process.stderr.write(`${error instanceof Error && error.stack ? error.stack : safeString(error)}\n`);
    } finally {
      process.exit(1);
    }
  };
  if (!client) return done();
  client.flush(timeout).then(done, done);
}

export function onUncaughtExceptionIntegration(options: { exitEvenIfOtherHandlersAreRegistered?: boolean } = {}): Integration {
  let handler: ((error: Error) => void) | undefined;
  return {
    name: 'OnUncaughtException',
    setup(client) {
      handler = (error: Error) => {
        client.captureException(error, { mechanism: { type: 'onuncaughtexception', handled: false }, captureContext: { level: 'fatal' } });
        const others = process.listeners('uncaughtException').filter((l) => l !== handler).length;
        if (others === 0 || options.exitEvenIfOtherHandlersAreRegistered) {
          printAndExit(error, getClient(), client.options.shutdownTimeout ?? 2000);
        }
      };
      process.on('uncaughtException', handler);
    },
    teardown() {
      if (handler) process.off('uncaughtException', handler);
    },
  };
}

export function onUnhandledRejectionIntegration(): Integration {
  let handler: ((reason: unknown) => void) | undefined;
  return {
    name: 'OnUnhandledRejection',
    setup(client) {
      handler = (reason: unknown) => {
        client.captureException(reason, { mechanism: { type: 'onunhandledrejection', handled: false } });
        const others = process.listeners('unhandledRejection').filter((l) => l !== handler).length;
        const mode = unhandledRejectionsMode();
        if (others === 0 && (mode === 'throw' || mode === 'strict')) {
          printAndExit(reason, getClient(), client.options.shutdownTimeout ?? 2000);
        }
      };
      process.on('unhandledRejection', handler);
    },
    teardown() {
      if (handler) process.off('unhandledRejection', handler);
    },
  };
}

/** Sends what is pending when the event loop empties, so short scripts do not lose events. */
export function flushOnExitIntegration(): Integration {
  let handler: (() => void) | undefined;
  return {
    name: 'FlushOnExit',
    setup(client) {
      let flushing = false;
      handler = () => {
        if (flushing) return;
        flushing = true;
        void client.flush(client.options.shutdownTimeout ?? 2000).finally(() => (flushing = false));
      };
      process.on('beforeExit', handler);
    },
    teardown() {
      if (handler) process.off('beforeExit', handler);
    },
  };
}
