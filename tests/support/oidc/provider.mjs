// An OpenID Connect provider on loopback for the tests: the npm package oidc-provider with
// its own login page, its clients and accounts read from a JSON file.
//
//   node provider.mjs CONFIG.json
//
// CONFIG.json holds
//   port       where to listen on 127.0.0.1 (0 or missing: a port the kernel chooses)
//   issuer     the issuer to announce, when a test wants one other than the address it serves
//   code_ttl   seconds an authorization code lives (default 60)
//   clients    [{client_id, client_secret, redirect_uris, token_endpoint_auth_method,
//                id_token_audience}]: confidential web clients of the authorization code flow,
//              PKCE (S256) required
//   accounts   [{email, password, name, groups, sub, email_verified}]: read again from the
//              file at every sign-in and every token, so a test can change them in between
//
// When it listens it prints one line of JSON to stdout, {"issuer": ..., "address": ...}, the
// issuer it announces and the address it serves; anything else it has to say goes to stderr.

import { createHash, generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';

import Provider, { interactionPolicy } from 'oidc-provider';

// oidc-provider prints its notices with console.info, which is stdout: keep that for the one
// line the tests wait for.
console.info = console.error;

const configFile = process.argv[2];
if (!configFile) {
  console.error('usage: node provider.mjs CONFIG.json');
  process.exit(2);
}
const config = JSON.parse(readFileSync(configFile, 'utf8'));

// An account's subject unless it names one: opaque, as real providers' are, and stable.
function subjectOf(account) {
  const digest = createHash('sha256').update(account.email.toLowerCase()).digest('hex');
  return account.sub || digest.slice(0, 32);
}

// The accounts as the file holds them now.
function accounts() {
  return JSON.parse(readFileSync(configFile, 'utf8')).accounts ?? [];
}

async function findAccount(ctx, sub) {
  const account = accounts().find((each) => subjectOf(each) === sub);
  if (!account) {
    return undefined;
  }
  return {
    accountId: sub,
    async claims() {
      return {
        sub,
        email: account.email,
        email_verified: account.email_verified ?? true,
        ...(account.name ? { name: account.name } : {}),
        groups: account.groups ?? [],
      };
    },
  };
}

// A fresh signing key for each run, so that nothing signed by an earlier provider verifies.
const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const signingKey = {
  ...privateKey.export({ format: 'jwk' }),
  kid: randomBytes(8).toString('hex'),
  alg: 'RS256',
  use: 'sig',
};

// Every authorization asks for the password, as if the browser had no session here: a test
// signs in as whom it chooses, and the accounts file is read again at each sign-in.
const { Check } = interactionPolicy;
const policy = interactionPolicy.base();
policy.get('login').checks.add(new Check(
  'every_time',
  'the test provider asks for the password at every authorization',
  (ctx) => (ctx.oidc.result?.login ? Check.NO_NEED_TO_PROMPT : Check.REQUEST_PROMPT),
));

function configuration() {
  return {
    clients: config.clients.map((client) => ({
      client_id: client.client_id,
      client_secret: client.client_secret,
      redirect_uris: client.redirect_uris,
      // Authlib's client authenticates with HTTP Basic unless told otherwise.
      token_endpoint_auth_method: client.token_endpoint_auth_method ?? 'client_secret_basic',
      grant_types: ['authorization_code'],
      response_types: ['code'],
    })),
    responseTypes: ['code'],
    findAccount,
    claims: {
      // Groups in every ID token, as Entra ID puts them when an application asks for group
      // claims; the scope 'groups' is there for a client that asks for it by name.
      openid: ['sub', 'groups'],
      email: ['email', 'email_verified'],
      profile: ['name'],
      groups: ['groups'],
    },
    // The claims of the scopes asked for go in the ID token itself, not only at userinfo.
    conformIdTokenClaims: false,
    pkce: { required: () => true },
    ttl: {
      AuthorizationCode: config.code_ttl ?? 60,
      AccessToken: 600,
      IdToken: 600,
      Interaction: 600,
      Session: 600,
      Grant: 600,
    },
    jwks: { keys: [signingKey] },
    cookies: {
      keys: [randomBytes(32).toString('hex')],
      // A browser sends a host's cookies to each of its ports, the service's too: names of
      // the provider's own, that no service would choose.
      names: {
        session: 'test_provider_session',
        interaction: 'test_provider_interaction',
        resume: 'test_provider_resume',
      },
    },
    interactions: {
      url: (ctx, interaction) => `/interaction/${interaction.uid}`,
      policy,
    },
    features: { devInteractions: { enabled: false } },
    renderError(ctx, out) {
      ctx.type = 'html';
      ctx.body = errorPage(`${out.error}: ${out.error_description}`);
    },
  };
}

function escape(text) {
  return String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function page(title, body) {
  return `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>${escape(title)}</title></head><body>${body}</body></html>`;
}

function errorPage(message) {
  return page('Sign-in failed', `<h1>Sign-in failed</h1><p id="error">${escape(message)}</p>`);
}

// The login page: an email address and a password, and one button.
function loginPage(uid, { email = '', error = '' } = {}) {
  const message = error ? `<p id="error" role="alert">${escape(error)}</p>` : '';
  return page('Sign in to the test provider', `<h1>Sign in to the test provider</h1>${message}
<form method="post" action="/interaction/${escape(uid)}/login">
<label for="email">Email address</label>
<input id="email" name="email" type="email" value="${escape(email)}" autocomplete="username">
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password">
<button type="submit">Sign in</button>
</form>`);
}

async function readForm(req) {
  const chunks = [];
  for await (const chunk of req) {
    chunks.push(chunk);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

// The login page and its form. The clients are the service's own, so a right password
// grants everything asked for at once, and the browser goes straight back to the client.
function interactions(provider) {
  return async (ctx, next) => {
    const match = ctx.path.match(/^\/interaction\/([^/]+)(\/login)?$/);
    if (!match) {
      return next();
    }
    const [, uid, login] = match;
    try {
      const details = await provider.interactionDetails(ctx.req, ctx.res);
      ctx.type = 'html';
      if (!login) {
        ctx.body = loginPage(uid);
        return undefined;
      }
      const form = await readForm(ctx.req);
      const email = form.get('email') ?? '';
      const wanted = email.trim().toLowerCase();
      const account = accounts().find((each) => each.email.toLowerCase() === wanted);
      if (!account || account.password !== form.get('password')) {
        ctx.status = 401;
        ctx.body = loginPage(uid, { email, error: 'The email address or password is wrong.' });
        return undefined;
      }
      const accountId = subjectOf(account);
      const grant = new provider.Grant({ accountId, clientId: details.params.client_id });
      grant.addOIDCScope(details.params.scope);
      const redirect = await provider.interactionResult(ctx.req, ctx.res, {
        login: { accountId },
        consent: { grantId: await grant.save() },
      }, { mergeWithLastSubmission: false });
      ctx.status = 303;
      ctx.redirect(redirect);
    } catch (error) {
      ctx.status = 400;
      ctx.type = 'html';
      ctx.body = errorPage(error.message);
    }
    return undefined;
  };
}

// A deliberate misbehaviour, for a test that the client refuses it: the ID tokens of a client
// with id_token_audience are signed again, with the same key, for that audience instead. They
// keep the client as their authorized party (azp), so that only the audience gives them away.
function misaddressedIdTokens() {
  const audiences = new Map(config.clients
    .filter((client) => client.id_token_audience)
    .map((client) => [client.client_id, client.id_token_audience]));
  return async (ctx, next) => {
    await next();
    const idToken = ctx.body?.id_token;
    if (ctx.path !== '/token' || typeof idToken !== 'string') {
      return;
    }
    const [header, payload] = idToken.split('.');
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    const audience = audiences.get(claims.aud);
    if (audience) {
      const changed = Buffer.from(
        JSON.stringify({ ...claims, aud: audience, azp: claims.aud }),
      );
      const signed = `${header}.${changed.toString('base64url')}`;
      const signature = sign('sha256', Buffer.from(signed), privateKey).toString('base64url');
      ctx.body = { ...ctx.body, id_token: `${signed}.${signature}` };
    }
  };
}

// Listen first, so that the issuer can name the port the kernel chose.
let handler = (req, res) => { res.statusCode = 503; res.end(); };
const server = createServer((req, res) => handler(req, res));
server.listen(config.port ?? 0, '127.0.0.1', () => {
  const address = `http://127.0.0.1:${server.address().port}`;
  const issuer = config.issuer ?? address;
  const provider = new Provider(issuer, configuration());
  provider.use(interactions(provider));
  provider.use(misaddressedIdTokens());
  provider.on('server_error', (ctx, error) => console.error('server_error', error));
  handler = provider.callback();
  process.stdout.write(`${JSON.stringify({ issuer, address })}\n`);
});

// The tests hold stdin open: when they end, however they end, so does the provider.
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
