// A real OpenID provider (the `oidc-provider` package) for Tether's sign-in tests.
//
//   node tests/oidc/provider.mjs --port 0 --secret S --redirect-uri http://127.0.0.1:8080/auth/callback
//
// (or OIDC_PORT, OIDC_CLIENT_SECRET, OIDC_REDIRECT_URI). It listens on 127.0.0.1 and prints
// one line, `ready <issuer>`, once it answers; port 0 takes a free port, named in that line.
//
// Clients: `tether` and `other-app` (same secret and redirect URI; the second one exists to
// produce ID tokens meant for another application). Both use the authorization code flow,
// and PKCE (S256) is required of both.
//
// Accounts: the login name is the email. The password chooses how the person signed in:
// "mfa" gives amr ["pwd", "mfa"] (and an acr saying so), anything else amr ["pwd"].
// The login page is a plain HTML form, so httpx and a real browser drive it alike; there is
// no consent screen (every grant is made at once).

import { generateKeyPairSync } from 'node:crypto';
import { createServer } from 'node:http';
import { parseArgs } from 'node:util';

import Provider from 'oidc-provider';

const ACCOUNTS = {
  'avery@example.org': { name: 'Avery Lindqvist', verified: true },
  'morgan@example.org': { name: 'Morgan Ostrander', verified: true },
  'riley@example.org': { name: 'Riley Fenwick', verified: true },
  'jordan@example.org': { name: 'Jordan Pell', verified: true },
  'sasha@example.org': { name: 'Sasha Okonkwo-Reyes', verified: true },
  'quinn@example.org': { name: 'Quinn Hartigan', verified: true },
  'stranger@example.org': { name: 'Sam Stranger', verified: true },
  'unverified@example.org': { name: 'Uma Unverified', verified: false },
};
const ACR_MFA = 'urn:example:acr:mfa';
const ACR_PASSWORD = 'urn:example:acr:password';

function settings() {
  const { values } = parseArgs({
    options: {
      port: { type: 'string' },
      secret: { type: 'string' },
      'redirect-uri': { type: 'string' },
    },
  });
  const port = Number(values.port ?? process.env.OIDC_PORT ?? 0);
  const secret = values.secret ?? process.env.OIDC_CLIENT_SECRET;
  const redirectUri = values['redirect-uri'] ?? process.env.OIDC_REDIRECT_URI;
  if (!secret || !redirectUri) {
    throw new Error('give --secret and --redirect-uri (or OIDC_CLIENT_SECRET, OIDC_REDIRECT_URI)');
  }
  return { port, secret, redirectUri };
}

// The subject is opaque and stable, as a real provider's is; the email is a claim.
const subjectOf = (email) => `sub-${email.split('@')[0]}`;
const emailOf = (sub) => Object.keys(ACCOUNTS).find((email) => subjectOf(email) === sub);

async function findAccount(_ctx, sub) {
  const email = emailOf(sub);
  if (!email) return undefined;
  const { name, verified } = ACCOUNTS[email];
  return {
    accountId: sub,
    async claims() {
      return { sub, email, email_verified: verified, name };
    },
  };
}

// No consent screen: the grant for the requested scopes is made on the spot.
async function loadExistingGrant(ctx) {
  const { provider, client, session, params } = ctx.oidc;
  const grantId = ctx.oidc.result?.consent?.grantId || session.grantIdFor(client.clientId);
  if (grantId) {
    const existing = await provider.Grant.find(grantId);
    if (existing) return existing;
  }
  const grant = new provider.Grant({ clientId: client.clientId, accountId: session.accountId });
  grant.addOIDCScope(String(params.scope ?? 'openid'));
  await grant.save();
  return grant;
}

function configuration(secret, redirectUri) {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const client = (clientId) => ({
    client_id: clientId,
    client_secret: secret,
    redirect_uris: [redirectUri],
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_basic',
  });
  return {
    clients: [client('tether'), client('other-app')],
    jwks: { keys: [{ ...privateKey.export({ format: 'jwk' }), kid: 'test-key-1', use: 'sig', alg: 'RS256' }] },
    findAccount,
    loadExistingGrant,
    claims: {
      acr: null, amr: null, auth_time: null, sid: null, iss: null,
      openid: ['sub', 'acr', 'amr', 'auth_time'], // how the person signed in, in every ID token
      email: ['email', 'email_verified'],
      profile: ['name'],
    },
    conformIdTokenClaims: false, // email and name in the ID token, as Google's and Okta's are
    acrValues: [ACR_PASSWORD, ACR_MFA],
    pkce: { required: () => true },
    features: { devInteractions: { enabled: false } },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    cookies: { keys: ['tether-test-cookie-key'] },
    ttl: { IdToken: 3600, AccessToken: 3600, Session: 3600, Grant: 3600, Interaction: 600 },
    renderError(ctx, out) {
      ctx.type = 'html';
      ctx.body = page('Sign-in error', `<p id="error">${escape(out.error)}: ${escape(out.error_description ?? '')}</p>`);
    },
  };
}

const escape = (text) => String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function page(title, body) {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escape(title)}</title></head>`
    + `<body><h1>${escape(title)}</h1>${body}</body></html>`;
}

function loginForm(uid, clientId, message = '') {
  return page('Sign in', `<p>to continue to <span id="client">${escape(clientId)}</span></p>`
    + (message ? `<p id="error" role="alert">${escape(message)}</p>` : '')
    + `<form method="post" action="/interaction/${escape(uid)}/login" autocomplete="off">`
    + '<label>Email <input type="email" name="login" required autofocus></label>'
    + '<label>Password <input type="password" name="password" required></label>'
    + '<button type="submit">Sign in</button></form>');
}

function send(res, status, html) {
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
  res.end(html);
}

async function readForm(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

async function showLogin(provider, req, res) {
  const { uid, prompt, params } = await provider.interactionDetails(req, res);
  if (prompt.name !== 'login') {
    // every grant is made by loadExistingGrant, so only the login prompt is left
    send(res, 501, page('Not implemented', `<p>prompt ${escape(prompt.name)}</p>`));
    return;
  }
  send(res, 200, loginForm(uid, params.client_id));
}

async function submitLogin(provider, req, res) {
  const { uid, params } = await provider.interactionDetails(req, res);
  const form = await readForm(req);
  const email = String(form.get('login') ?? '').trim().toLowerCase();
  const password = String(form.get('password') ?? '');
  if (!ACCOUNTS[email] || !password) {
    send(res, 200, loginForm(uid, params.client_id, 'Unknown email or empty password.'));
    return;
  }
  const mfa = password === 'mfa';
  const login = {
    accountId: subjectOf(email),
    amr: mfa ? ['pwd', 'mfa'] : ['pwd'],
    acr: mfa ? ACR_MFA : ACR_PASSWORD,
    remember: false, // each test's login starts from a fresh session
  };
  await provider.interactionFinished(req, res, { login }, { mergeWithLastSubmission: false });
}

async function interaction(provider, req, res) {
  const path = new URL(req.url, 'http://localhost').pathname;
  const match = path.match(/^\/interaction\/([\w-]+)(\/login)?$/);
  if (!match) return false;
  try {
    if (req.method === 'GET' && !match[2]) await showLogin(provider, req, res);
    else if (req.method === 'POST' && match[2]) await submitLogin(provider, req, res);
    else send(res, 405, page('Method not allowed', ''));
  } catch (error) {
    send(res, 400, page('Sign-in error', `<p id="error">${escape(error.message)}</p>`));
  }
  return true;
}

async function main() {
  const { port, secret, redirectUri } = settings();
  let provider;
  let handle;
  const server = createServer(async (req, res) => {
    if (!(await interaction(provider, req, res))) handle(req, res);
  });
  await new Promise((resolve) => { server.listen(port, '127.0.0.1', resolve); });
  const issuer = `http://127.0.0.1:${server.address().port}`;
  provider = new Provider(issuer, configuration(secret, redirectUri));
  handle = provider.callback();
  const stop = () => {
    server.close(() => process.exit(0));
    server.closeAllConnections();
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  process.stdout.write(`ready ${issuer}\n`);
}

await main();
