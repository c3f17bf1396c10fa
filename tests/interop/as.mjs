// Authorization server for the interop suite: panva's oidc-provider on 127.0.0.1, a free port, plain http.
//
// DPoP (RFC 9449) with nonces demanded on every token request, the client credentials grant, introspection
// (RFC 7662) and resource indicators (RFC 8707): "urn:dpop-http:interop" gets JWT access tokens (RFC 9068),
// "urn:dpop-http:interop:opaque" opaque ones, which only introspection can look into. Every access token is
// DPoP-bound (cnf.jkt). Clients authenticate with client_secret_basic, client_secret_post or private_key_jwt;
// secrets and the private_key_jwt key pair are made anew per run.
//
// A web app client ("interop-web", client_secret_post) signs users in with the authorization code grant for
// DPoP.Http.AspNetCore's end-to-end tests: PKCE required, DPoP-bound codes (dpop_jkt) and tokens, refresh tokens
// always issued and rotated on every use, revocation. Its redirect URI is http://127.0.0.1/signin-oidc on any port
// (application_type native: RFC 8252 §7.3 loopback ports), so each test app may listen on a free port. Login and
// consent are oidc-provider's devInteractions pages (any login name, any password), which the tests post to.
//
// Token exchange (RFC 8693) with DPoP: the "interop-exchange" client may exchange an access token this server issued
// (opaque, for instance one a caller sent it) for a DPoP-bound JWT access token for another resource, bound to the
// key of the exchange request's DPoP proof (nonce demanded, replay checked, as oidc-provider's own grants do).
//
// Prints one JSON line on stdout once listening: {"ready":true,"issuer":…,"clients":{…},…}. Everything else goes to
// stderr. Exits when stdin closes, so a test host that dies leaves no server behind.
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';

import { exportJWK, generateKeyPair } from 'jose';
import Provider, { errors } from 'oidc-provider';
// oidc-provider's own grants validate and bind DPoP with these; custom grants get no helpers, so import them.
import validateDpop, { checkDpopReplay } from 'oidc-provider/lib/helpers/validate_dpop.js';

const log = (...args) => console.error('[as]', ...args);

export const JWT_RESOURCE = 'urn:dpop-http:interop';
export const OPAQUE_RESOURCE = 'urn:dpop-http:interop:opaque';
const SCOPE = 'orders:read orders:write';
const TOKEN_EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';
const ACCESS_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:access_token';
// Every algorithm DPoP.Http's interop tests sign with; oidc-provider's default is ES256, Ed25519, EdDSA only.
const DPOP_ALGS = ['ES256', 'ES384', 'ES512', 'RS256', 'PS256'];

async function signingKey(alg, kid) {
  const { privateKey } = await generateKeyPair(alg, { extractable: true });
  return { ...(await exportJWK(privateKey)), kid, alg, use: 'sig' };
}

const secret = () => randomBytes(24).toString('base64url');

// private_key_jwt (RFC 7523): the client's key pair is made here and its private JWK handed to the tests through the
// ready line; only the public half is registered.
const assertionKeys = await generateKeyPair('ES256', { extractable: true });
const assertionKid = 'interop-private-key-jwt';
const assertionPublicJwk = { ...(await exportJWK(assertionKeys.publicKey)), kid: assertionKid, alg: 'ES256', use: 'sig' };

const clients = {
  basic: { id: 'interop-basic', secret: secret(), method: 'client_secret_basic' },
  post: { id: 'interop-post', secret: secret(), method: 'client_secret_post' },
  privateKeyJwt: {
    id: 'interop-private-key-jwt',
    method: 'private_key_jwt',
    privateJwk: { ...(await exportJWK(assertionKeys.privateKey)), kid: assertionKid, alg: 'ES256' },
  },
  // The resource server's own credentials, for introspecting opaque tokens.
  rs: { id: 'interop-rs', secret: secret(), method: 'client_secret_basic' },
  web: { id: 'interop-web', secret: secret(), method: 'client_secret_post', redirectPath: '/signin-oidc' },
  // The same web client authenticating with private_key_jwt (the private_key_jwt client's key pair).
  webPrivateKeyJwt: { id: 'interop-web-private-key-jwt', method: 'private_key_jwt', redirectPath: '/signin-oidc' },
  // An API that exchanges its callers' tokens for tokens to a downstream API.
  exchange: { id: 'interop-exchange', secret: secret(), method: 'client_secret_basic' },
};
const WEB_SCOPE = `openid offline_access ${SCOPE}`;

function clientMetadata(c) {
  if (c === clients.web || c === clients.webPrivateKeyJwt) {
    return {
      client_id: c.id,
      ...(c.secret ? { client_secret: c.secret } : { jwks: { keys: [assertionPublicJwk] } }),
      token_endpoint_auth_method: c.method,
      application_type: 'native',
      // client_credentials too: the same registration gets the app's own tokens (AddDPoPClientCredentialsToken("oidc")).
      grant_types: ['authorization_code', 'refresh_token', 'client_credentials'],
      response_types: ['code'],
      redirect_uris: [`http://127.0.0.1${c.redirectPath}`],
      post_logout_redirect_uris: ['http://127.0.0.1/signout-callback-oidc'],
      scope: WEB_SCOPE,
      dpop_bound_access_tokens: true,
    };
  }

  return {
    client_id: c.id,
    ...(c.secret ? { client_secret: c.secret } : { jwks: { keys: [assertionPublicJwk] } }),
    token_endpoint_auth_method: c.method,
    grant_types: c === clients.rs ? [] : c === clients.exchange ? ['client_credentials', TOKEN_EXCHANGE] : ['client_credentials'],
    response_types: [],
    redirect_uris: [],
    scope: SCOPE,
    // A token request without a DPoP proof is refused rather than answered with a Bearer token.
    dpop_bound_access_tokens: c !== clients.rs,
  };
}

function resourceServerInfo(resourceIndicator) {
  switch (resourceIndicator) {
    case JWT_RESOURCE:
      return {
        scope: SCOPE,
        audience: JWT_RESOURCE,
        accessTokenTTL: 300,
        accessTokenFormat: 'jwt',
        jwt: { sign: { alg: 'ES256' } },
      };
    case OPAQUE_RESOURCE:
      return { scope: SCOPE, audience: OPAQUE_RESOURCE, accessTokenTTL: 300, accessTokenFormat: 'opaque' };
    default:
      throw new errors.InvalidTarget();
  }
}

// The issuer must carry the port, so listen first and attach the provider once the port is known.
const server = createServer();
await new Promise((resolve, reject) => {
  server.once('error', reject);
  server.listen(0, '127.0.0.1', resolve);
});
const issuer = `http://127.0.0.1:${server.address().port}`;

const provider = new Provider(issuer, {
  clients: Object.values(clients).map(clientMetadata),
  jwks: { keys: [await signingKey('RS256', 'rs256'), await signingKey('ES256', 'es256')] },
  cookies: { keys: [secret()] },
  scopes: WEB_SCOPE.split(' '),
  // The web client: PKCE on every authorization request, a refresh token with every code (no offline_access
  // consent dance needed), a new refresh token on every refresh (the old one is then refused).
  pkce: { required: () => true },
  issueRefreshToken: async (ctx, client) => client.grantTypeAllowed('refresh_token'),
  rotateRefreshToken: () => true,
  features: {
    devInteractions: { enabled: true },
    clientCredentials: { enabled: true },
    // RFC 7009, so a test can revoke an opaque token and watch the client renew it.
    revocation: { enabled: true },
    introspection: {
      enabled: true,
      // The resource server may introspect any token; a client only its own.
      allowedPolicy: async (ctx, client, token) => client.clientId === clients.rs.id || token.clientId === client.clientId,
    },
    dPoP: {
      enabled: true,
      nonceSecret: randomBytes(32),
      requireNonce: () => true,
    },
    resourceIndicators: {
      enabled: true,
      // Several granted (a web sign-in that asked for both): a request that names none gets the JWT resource's token.
      defaultResource: async (ctx, client, oneOf) => (Array.isArray(oneOf) ? (oneOf.includes(JWT_RESOURCE) ? JWT_RESOURCE : oneOf[0]) : oneOf) ?? JWT_RESOURCE,
      // The web client asks for the resource at authorization; its code and refresh grants get tokens for it.
      useGrantedResource: async (ctx) => [clients.web.id, clients.webPrivateKeyJwt.id].includes(ctx.oidc.client?.clientId),
      getResourceServerInfo: async (ctx, resourceIndicator) => resourceServerInfo(resourceIndicator),
    },
  },
  enabledJWA: { dPoPSigningAlgValues: DPOP_ALGS },
});

// RFC 8693 §2.1: an access token of this server in, a DPoP-bound JWT access token for the requested resource (or
// audience) out. The proof is validated like oidc-provider's own grants do it (nonce required by the dPoP config,
// jti replay checked per client) and its key thumbprint becomes the new token's cnf.jkt.
async function tokenExchange(ctx) {
  const { params, client } = ctx.oidc;
  if (params.subject_token_type !== ACCESS_TOKEN_TYPE) {
    throw new errors.InvalidRequest('subject_token_type must be an access token');
  }
  if (params.actor_token && !params.actor_token_type) {
    throw new errors.InvalidRequest('actor_token_type is required with actor_token');
  }

  const subject = await provider.AccessToken.find(params.subject_token)
    ?? await provider.ClientCredentials.find(params.subject_token);
  if (!subject || subject.isExpired) {
    throw new errors.InvalidGrant('subject_token is invalid or expired');
  }

  const dPoP = await validateDpop(provider, ctx);
  if (!dPoP) {
    throw new errors.InvalidRequest('a DPoP proof is required');
  }
  await checkDpopReplay(provider, ctx, dPoP, client.clientId, errors.InvalidGrant);

  const indicator = params.resource ?? params.audience ?? JWT_RESOURCE;
  const info = resourceServerInfo(Array.isArray(indicator) ? indicator[0] : indicator);
  const requested = params.scope ? params.scope.split(' ') : info.scope.split(' ');
  const allowed = new Set(info.scope.split(' '));
  const token = new provider.ClientCredentials({
    client,
    scope: requested.filter((s) => allowed.has(s)).join(' ') || undefined,
    // Who the token acts for (RFC 8693 §4.1, act): the subject token's account or client.
    extra: { act: { sub: client.clientId }, subject_sub: subject.accountId ?? subject.clientId },
  });
  token.resourceServer = new provider.ResourceServer(info.audience, info);
  token.setThumbprint('jkt', dPoP.thumbprint);
  const value = await token.save();

  ctx.body = {
    access_token: value,
    issued_token_type: ACCESS_TOKEN_TYPE,
    token_type: token.tokenType,
    expires_in: token.expiration,
    scope: token.scope,
  };
}

provider.registerGrantType(
  TOKEN_EXCHANGE,
  tokenExchange,
  ['subject_token', 'subject_token_type', 'actor_token', 'actor_token_type', 'requested_token_type', 'audience', 'resource', 'scope'],
  ['resource', 'audience'],
);

for (const event of ['grant.error', 'introspection.error', 'revocation.error', 'jwks.error', 'discovery.error', 'server_error']) {
  provider.on(event, (ctx, err) => log(event, ctx.method, ctx.path, err.error ?? err.name, err.error_description ?? err.message, err.error_detail ?? ''));
}
// DPoP.Http.AspNetCore's tests count refresh grants by these lines: "grant.success <client> <grant_type>".
provider.on('grant.success', (ctx) => log('grant.success', ctx.oidc.client?.clientId, ctx.oidc.params?.grant_type));

const callback = provider.callback();
server.on('request', (req, res) => {
  res.on('finish', () => log(req.method, req.url, res.statusCode, req.headers.dpop ? 'dpop' : 'no-dpop'));
  callback(req, res);
});

console.log(JSON.stringify({
  ready: true,
  issuer,
  tokenEndpoint: provider.urlFor('token'),
  introspectionEndpoint: provider.urlFor('introspection'),
  revocationEndpoint: provider.urlFor('revocation'),
  authorizationEndpoint: provider.urlFor('authorization'),
  webScope: WEB_SCOPE,
  jwksUri: provider.urlFor('jwks'),
  jwtResource: JWT_RESOURCE,
  opaqueResource: OPAQUE_RESOURCE,
  scope: SCOPE,
  dpopSigningAlgValues: DPOP_ALGS,
  clients,
}));
log(`oidc-provider listening on ${issuer}`);

function shutdown(reason) {
  log(`stopping (${reason})`);
  server.close();
  server.closeAllConnections();
  process.exit(0);
}

process.stdin.on('end', () => shutdown('stdin closed'));
process.stdin.resume();
process.on('SIGTERM', () => shutdown('SIGTERM'));
process.on('SIGINT', () => shutdown('SIGINT'));
