import type { ServerConfig } from '../config.js';
import type { Store } from '../store/types.js';
import type { Mailer } from './mailer.js';
import type { OidcClient } from './oidc.js';
import type { LoginThrottle } from './throttle.js';

/** What the account routes share; built once in app.ts. */
export interface AccountsContext {
  store: Store;
  config: ServerConfig;
  throttle: LoginThrottle;
  /** Null when PROLIFERATE_SMTP_URL is not set: resets go through the CLI, invitations are links only. */
  mailer: Mailer | null;
  /** Null when single sign-on is not configured. */
  oidc: OidcClient | null;
}
