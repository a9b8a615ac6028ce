/** Creating and installing a client; the Node and browser `init` functions call this. */
import { Client, type PlatformParts } from './client.js';
import { debug } from './debug.js';
import type { ClientOptions, Integration } from './options.js';
import { getCarrierClient, getDefaultScopes, getGlobalScope, setCarrierClient } from './scopes.js';

export function initClient(options: ClientOptions, platform: PlatformParts, defaults: Integration[]): Client | undefined {
  try {
    const previous = getCarrierClient<Client>();
    if (previous) {
      previous.stop();
      void previous.flush(previous.options.shutdownTimeout ?? 2000);
    }
    const client = new Client(options ?? {}, platform, defaults);
    setCarrierClient(client);
    const max = client.options.maxBreadcrumbs;
    const { scope, isolationScope } = getDefaultScopes();
    for (const s of [getGlobalScope(), scope, isolationScope]) s.maxBreadcrumbs = max;
    if (options?.initialScope) getGlobalScope().update(options.initialScope);
    client.setupIntegrations();
    debug.log(`initialised; sending to ${client.target?.url ?? 'nowhere (no dsn)'}`);
    return client;
  } catch (error) {
    debug.error('init failed; the SDK stays off', error);
    return undefined;
  }
}
