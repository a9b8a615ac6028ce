/**
 * Single sign-on with OpenID Connect through openid-client (the certified relying-party library
 * for Node): authorization code flow with PKCE, state and nonce. The provider's metadata is fetched
 * on first use and kept, so the server starts even while the provider is down.
 */
import * as client from 'openid-client';
import type { OidcConfig } from '../config.js';

export interface SsoIdentity {
  /** `issuer|sub`: stable across e-mail changes at the provider. */
  subject: string;
  email: string | null;
  emailVerified: boolean;
  name: string | null;
}

export interface SsoStart {
  url: string;
  state: string;
  nonce: string;
  codeVerifier: string;
}

export class OidcClient {
  private metadata: Promise<client.Configuration> | undefined;

  constructor(readonly settings: OidcConfig) {}

  private configuration(): Promise<client.Configuration> {
    this.metadata ??= client
      .discovery(new URL(this.settings.issuer), this.settings.clientId, this.settings.clientSecret, undefined, {
        execute: this.settings.allowInsecure ? [client.allowInsecureRequests] : [],
      })
      .catch((error: unknown) => {
        this.metadata = undefined; // try again next time
        throw error;
      });
    return this.metadata;
  }

  async start(redirectUri: string): Promise<SsoStart> {
    const config = await this.configuration();
    const codeVerifier = client.randomPKCECodeVerifier();
    const state = client.randomState();
    const nonce = client.randomNonce();
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: redirectUri,
      scope: 'openid email profile',
      code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
      code_challenge_method: 'S256',
      state,
      nonce,
    });
    return { url: url.href, state, nonce, codeVerifier };
  }

  async finish(callbackUrl: URL, expected: { state: string; nonce: string; codeVerifier: string }): Promise<SsoIdentity> {
    const config = await this.configuration();
    const tokens = await client.authorizationCodeGrant(config, callbackUrl, {
      pkceCodeVerifier: expected.codeVerifier,
      expectedState: expected.state,
      expectedNonce: expected.nonce,
      idTokenExpected: true,
    });
    const claims = tokens.claims()!;
    let email = typeof claims.email === 'string' ? claims.email : null;
    let emailVerified = claims.email_verified === true;
    let name = typeof claims.name === 'string' ? claims.name : null;
    if (!email) {
      // Some providers put the e-mail only in the userinfo response.
      const info = await client.fetchUserInfo(config, tokens.access_token, claims.sub);
      email = typeof info.email === 'string' ? info.email : null;
      emailVerified = info.email_verified === true;
      name ??= typeof info.name === 'string' ? info.name : null;
    }
    return { subject: `${claims.iss}|${claims.sub}`, email, emailVerified, name };
  }
}
