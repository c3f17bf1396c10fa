// Resource server for the interop suite: node:http on 127.0.0.1, a free port. Every check of the access token and
// of the DPoP proof (RFC 9449 §4.3, §7) is done with panva's jose, none with DPoP.Http:
//
// - Authorization: DPoP <token>, exactly one DPoP header;
// - the proof: compact JWS verified with its embedded public jwk (EmbeddedJWK), typ dpop+jwt, alg allow-list,
//   jti/htm/htu/iat present, htm = method, htu = this URL without query/fragment after WHATWG URL normalization,
//   iat within 300 s (30 s tolerance), ath = base64url(SHA-256(token)), jti not seen before, and this server's own
//   nonce (current or previous; rotated every INTEROP_RS_NONCE_ROTATION_SECONDS and on POST /_interop/rotate-nonce);
// - the token: a JWT access token (RFC 9068, typ at+jwt) verified against the authorization server's JWKS with
//   iss, aud and exp checked, or an opaque token introspected (RFC 7662) at the authorization server; then
//   cnf.jkt = the RFC 7638 thumbprint of the proof's jwk (jose calculateJwkThumbprint).
//
// Failures: 401 with two challenges, WWW-Authenticate: Bearer realm="…" and WWW-Authenticate: DPoP
// error="use_dpop_nonce" | "invalid_dpop_proof" | "invalid_token", error_description (a quoted-string that may hold
// commas and escaped quotes) and algs. Every response carries DPoP-Nonce. Success: 200 JSON
// {method, path, query, jkt, alg, tokenFormat, clientId, scope, sub, body}, body being the request body as received.
//
// Configuration (environment): INTEROP_AS_ISSUER (required), INTEROP_RS_CLIENT_ID / INTEROP_RS_CLIENT_SECRET (for
// introspection), INTEROP_JWT_RESOURCE, INTEROP_OPAQUE_RESOURCE. Prints one JSON ready line on stdout; logs to
// stderr; exits when stdin closes.
import { createHash, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';

import {
  calculateJwkThumbprint,
  createRemoteJWKSet,
  decodeProtectedHeader,
  EmbeddedJWK,
  jwtVerify,
} from 'jose';

const log = (...args) => console.error('[rs]', ...args);

const issuer = process.env.INTEROP_AS_ISSUER;
if (!issuer) {
  log('INTEROP_AS_ISSUER is not set');
  process.exit(2);
}

const JWT_RESOURCE = process.env.INTEROP_JWT_RESOURCE ?? 'urn:dpop-http:interop';
const OPAQUE_RESOURCE = process.env.INTEROP_OPAQUE_RESOURCE ?? 'urn:dpop-http:interop:opaque';
const RS_CLIENT_ID = process.env.INTEROP_RS_CLIENT_ID;
const RS_CLIENT_SECRET = process.env.INTEROP_RS_CLIENT_SECRET;
const DPOP_ALGS = ['ES256', 'ES384', 'ES512', 'RS256', 'PS256'];
const ACCESS_TOKEN_ALGS = ['ES256', 'RS256', 'PS256'];
const PROOF_MAX_AGE = 300;
const CLOCK_TOLERANCE = 30;
const ROTATION_SECONDS = Number(process.env.INTEROP_RS_NONCE_ROTATION_SECONDS ?? 60);
const PRIVATE_JWK_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];

// Where the authorization server publishes its keys and introspection endpoint (RFC 8414 metadata).
const metadata = await (await fetch(new URL('.well-known/openid-configuration', `${issuer}/`))).json();
if (metadata.issuer !== issuer) {
  log(`metadata issuer ${metadata.issuer} is not ${issuer}`);
  process.exit(2);
}
const jwks = createRemoteJWKSet(new URL(metadata.jwks_uri));

class Challenge extends Error {
  constructor(error, description) {
    super(description);
    this.error = error;
  }
}

// RFC 9449 §9: the server's nonce; the previous one stays good so requests in flight across a rotation pass.
const newNonce = () => randomBytes(16).toString('base64url');
let nonces = { current: newNonce(), previous: undefined };
function rotateNonce() {
  nonces = { current: newNonce(), previous: nonces.current };
}
const rotation = setInterval(rotateNonce, ROTATION_SECONDS * 1000);
rotation.unref();

// jti replay cache: thumbprint + jti until the proof could no longer pass the iat check.
const seen = new Map();
function checkReplay(jkt, jti, iat) {
  const now = Math.floor(Date.now() / 1000);
  for (const [key, expires] of seen) {
    if (expires < now) seen.delete(key);
  }
  const key = `${jkt}:${jti}`;
  if (seen.has(key)) {
    throw new Challenge('invalid_dpop_proof', 'DPoP proof jti was used before (replay)');
  }
  seen.set(key, Math.max(iat, now) + PROOF_MAX_AGE + CLOCK_TOLERANCE);
}

const stats = { requests: 0, nonceChallenges: 0, rejections: 0, accepted: 0 };

const sha256 = (value) => createHash('sha256').update(value, 'ascii').digest('base64url');

// RFC 9449 §4.3 point 9: compare htu after syntax- and scheme-based normalization, without query and fragment.
function normalizeHtu(value) {
  const url = URL.parse(value);
  if (!url) return undefined;
  url.search = '';
  url.hash = '';
  return url.href;
}

async function verifyAccessToken(token) {
  let isJwt = false;
  try {
    isJwt = !!decodeProtectedHeader(token);
  } catch {
    isJwt = false;
  }

  if (isJwt) {
    try {
      const { payload } = await jwtVerify(token, jwks, {
        issuer,
        audience: JWT_RESOURCE,
        typ: 'at+jwt',
        algorithms: ACCESS_TOKEN_ALGS,
        requiredClaims: ['exp', 'iat', 'jti', 'client_id'],
      });
      return { format: 'jwt', clientId: payload.client_id, scope: payload.scope, jkt: payload.cnf?.jkt, sub: payload.sub };
    } catch (err) {
      throw new Challenge('invalid_token', `access token rejected: ${err.code ?? err.name}: ${err.message}`);
    }
  }

  const response = await fetch(metadata.introspection_endpoint, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`${encodeURIComponent(RS_CLIENT_ID)}:${encodeURIComponent(RS_CLIENT_SECRET)}`).toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
      accept: 'application/json',
    },
    body: new URLSearchParams({ token }),
  });
  if (!response.ok) {
    throw new Error(`introspection answered ${response.status}: ${await response.text()}`);
  }
  const introspection = await response.json();
  const audiences = [introspection.aud ?? []].flat();
  if (introspection.active !== true) {
    throw new Challenge('invalid_token', 'access token is not active');
  }
  if (!audiences.includes(OPAQUE_RESOURCE)) {
    throw new Challenge('invalid_token', 'access token is not for this resource');
  }
  if (introspection.token_type !== 'DPoP') {
    throw new Challenge('invalid_token', `access token type is ${introspection.token_type}, not DPoP`);
  }
  return { format: 'opaque', clientId: introspection.client_id, scope: introspection.scope, jkt: introspection.cnf?.jkt, sub: introspection.sub };
}

async function authenticate(req, url) {
  const authorizations = req.headersDistinct.authorization ?? [];
  if (authorizations.length === 0) {
    throw new Challenge(undefined, undefined);
  }
  const match = authorizations.length === 1 ? /^(\S+) +(\S+)$/.exec(authorizations[0]) : null;
  if (!match) {
    throw new Challenge('invalid_request', 'expected exactly one Authorization header: DPoP <token>');
  }
  if (match[1].toLowerCase() !== 'dpop') {
    throw new Challenge('invalid_token', `a DPoP-bound access token must be sent with the DPoP scheme, not ${match[1]}`);
  }
  const token = match[2];

  const proofs = req.headersDistinct.dpop ?? [];
  if (proofs.length !== 1) {
    throw new Challenge('invalid_dpop_proof', `expected exactly one DPoP header, got ${proofs.length}`);
  }

  let payload;
  let protectedHeader;
  try {
    ({ payload, protectedHeader } = await jwtVerify(proofs[0], EmbeddedJWK, {
      typ: 'dpop+jwt',
      algorithms: DPOP_ALGS,
      requiredClaims: ['jti', 'htm', 'htu', 'iat'],
      maxTokenAge: PROOF_MAX_AGE,
      clockTolerance: CLOCK_TOLERANCE,
    }));
  } catch (err) {
    throw new Challenge('invalid_dpop_proof', `${err.code ?? err.name}: ${err.message}`);
  }

  const privateMembers = PRIVATE_JWK_MEMBERS.filter((member) => member in protectedHeader.jwk);
  if (privateMembers.length > 0) {
    throw new Challenge('invalid_dpop_proof', `DPoP proof jwk has private members: ${privateMembers.join(' ')}`);
  }
  if (typeof payload.jti !== 'string' || payload.jti.length < 16) {
    throw new Challenge('invalid_dpop_proof', 'DPoP proof jti must be a string of enough entropy');
  }
  if (payload.htm !== req.method) {
    throw new Challenge('invalid_dpop_proof', `DPoP proof htm ${payload.htm} is not ${req.method}`);
  }
  const expectedHtu = normalizeHtu(url.href);
  const actualHtu = typeof payload.htu === 'string' ? normalizeHtu(payload.htu) : undefined;
  if (actualHtu !== expectedHtu) {
    throw new Challenge('invalid_dpop_proof', `DPoP proof htu ${payload.htu} does not match ${expectedHtu}`);
  }
  if (payload.ath !== sha256(token)) {
    throw new Challenge('invalid_dpop_proof', payload.ath === undefined ? 'DPoP proof has no ath' : 'DPoP proof ath does not match the access token');
  }
  if (payload.nonce === undefined) {
    throw new Challenge('use_dpop_nonce', 'Resource server requires a nonce in the DPoP proof, see the "DPoP-Nonce" header');
  }
  if (payload.nonce !== nonces.current && payload.nonce !== nonces.previous) {
    throw new Challenge('use_dpop_nonce', 'DPoP proof nonce is stale or unknown');
  }

  const jkt = await calculateJwkThumbprint(protectedHeader.jwk, 'sha256');
  checkReplay(jkt, payload.jti, payload.iat);

  const accessToken = await verifyAccessToken(token);
  if (typeof accessToken.jkt !== 'string') {
    throw new Challenge('invalid_token', 'access token is not DPoP-bound (no cnf.jkt)');
  }
  if (accessToken.jkt !== jkt) {
    throw new Challenge('invalid_token', 'access token is bound to another key than the DPoP proof (cnf.jkt mismatch)');
  }

  return { jkt, alg: protectedHeader.alg, ...accessToken };
}

// RFC 9110 §5.6.4 quoted-string: backslash-escape quotes and backslashes; keep to visible ASCII and spaces.
const quoted = (value) => `"${String(value).replace(/[^\x20-\x7e]/g, '?').replace(/["\\]/g, '\\$&')}"`;

// Two challenges, as a server that accepts Bearer and DPoP tokens sends them (RFC 9449 §7.1, RFC 9110 §11.6.1):
// the client has to find the DPoP one and read its parameters, whose values may hold commas and escaped quotes.
function challengeHeaders(challenge) {
  const params = [];
  if (challenge.error) params.push(`error=${quoted(challenge.error)}`);
  if (challenge.message) params.push(`error_description=${quoted(challenge.message)}`);
  params.push(`algs=${quoted(DPOP_ALGS.join(' '))}`);
  return ['Bearer realm="dpop-http-interop"', `DPoP ${params.join(', ')}`];
}

function send(res, status, body, headers = {}) {
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
    'dpop-nonce': nonces.current,
    ...headers,
  });
  res.end(body === undefined ? undefined : JSON.stringify(body));
}

async function readBody(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
}

let baseUrl;
const server = createServer(async (req, res) => {
  let outcome = '';
  res.on('finish', () => log(req.method, req.url, res.statusCode, outcome));
  try {
    const body = await readBody(req);
    const url = new URL(req.url, baseUrl);

    if (url.pathname.startsWith('/_interop/')) {
      if (req.method === 'POST' && url.pathname === '/_interop/rotate-nonce') {
        rotateNonce();
        return send(res, 200, { rotated: true });
      }
      if (req.method === 'GET' && url.pathname === '/_interop/stats') {
        return send(res, 200, stats);
      }
      return send(res, 404, { error: 'not_found' });
    }

    stats.requests++;
    try {
      const result = await authenticate(req, url);
      stats.accepted++;
      outcome = `ok ${result.alg} ${result.format}`;
      return send(res, 200, {
        method: req.method,
        path: url.pathname,
        query: url.search,
        jkt: result.jkt,
        alg: result.alg,
        tokenFormat: result.format,
        clientId: result.clientId,
        scope: result.scope,
        sub: result.sub,
        body,
      });
    } catch (err) {
      if (!(err instanceof Challenge)) throw err;
      if (err.error === 'use_dpop_nonce') stats.nonceChallenges++;
      else stats.rejections++;
      outcome = `${err.error ?? 'no credentials'}: ${err.message}`;
      return send(res, 401, err.error ? { error: err.error, error_description: err.message } : undefined, {
        'www-authenticate': challengeHeaders(err),
      });
    }
  } catch (err) {
    outcome = `server error: ${err.stack ?? err}`;
    return send(res, 500, { error: 'server_error' });
  }
});

await new Promise((resolve, reject) => {
  server.once('error', reject);
  server.listen(0, '127.0.0.1', resolve);
});
baseUrl = `http://127.0.0.1:${server.address().port}/`;

console.log(JSON.stringify({ ready: true, url: baseUrl, issuer, jwtResource: JWT_RESOURCE, opaqueResource: OPAQUE_RESOURCE, dpopSigningAlgValues: DPOP_ALGS }));
log(`resource server listening on ${baseUrl}, trusting ${issuer}`);

function shutdown(reason) {
  log(`stopping (${reason})`);
  clearInterval(rotation);
  server.close();
  server.closeAllConnections();
  process.exit(0);
}

process.stdin.on('end', () => shutdown('stdin closed'));
process.stdin.resume();
process.on('SIGTERM', () => shutdown('SIGTERM'));
process.on('SIGINT', () => shutdown('SIGINT'));
