import type { IdentityProviderInput } from '../gateway-config';

/**
 * Identity providers whose tokens the authorizer accepts, chosen by the token's `iss`.
 * Recipes with the exact claims each provider issues: docs/identity-providers.md.
 */
const identityProviders: IdentityProviderInput[] = [
  {
    // Cognito user pool, access tokens: they carry `client_id` and `token_use`, not `aud`, and
    // never custom attributes on their own. `custom:tenant_id` (and `custom:tier`) are added by a
    // pre token generation Lambda trigger with event version V2_0 (user sign-in) or V3_0 (also
    // client-credentials M2M tokens), which needs the Essentials or Plus feature plan. Without
    // that trigger every Cognito caller gets 403 TENANT_CLAIM_MISSING. The trigger and its
    // Terraform: docs/identity-providers.md#cognito.
    id: 'cognito',
    kind: 'cognito',
    issuer: 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_EXAMPLE01',
    jwksUri: 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_EXAMPLE01/.well-known/jwks.json',
    // The app client users sign in with, and the client-credentials client of machine callers.
    audiences: ['4example0app0client0id0abc', '5example0m2m0client0id0xyz'],
    algorithms: ['RS256'],
    tokenUse: 'access',
    claims: { tenant: 'custom:tenant_id', role: 'cognito:groups', tier: 'custom:tier' },
  },
  {
    // Microsoft Entra ID, v2.0 access tokens for an app registration exposing an API (its
    // manifest sets accessTokenAcceptedVersion: 2). A v2.0 token's `aud` is always the API's
    // application (client) id, never its api:// URI; `extn.tenant` is a directory extension
    // emitted as an optional access-token claim. docs/identity-providers.md#microsoft-entra-id.
    id: 'entra',
    kind: 'oidc',
    issuer: 'https://login.microsoftonline.com/00000000-0000-4000-8000-000000000001/v2.0',
    jwksUri: 'https://login.microsoftonline.com/00000000-0000-4000-8000-000000000001/discovery/v2.0/keys',
    audiences: ['00000000-0000-4000-8000-0000000000aa'],
    algorithms: ['RS256'],
    claims: { tenant: 'extn.tenant', role: 'roles' },
    maxTokenAgeSeconds: 86400,
  },
  {
    // Okta custom authorization server (not the org authorization server, whose access tokens
    // only Okta may validate). `tenant` and `groups` are custom claims added on the server's
    // Claims tab; `aud` is the server's audience. docs/identity-providers.md#okta.
    id: 'okta',
    kind: 'oidc',
    issuer: 'https://example-corp.okta.com/oauth2/ausexample0gateway01',
    jwksUri: 'https://example-corp.okta.com/oauth2/ausexample0gateway01/v1/keys',
    audiences: ['api://bedrock-gateway'],
    algorithms: ['RS256'],
    claims: { tenant: 'tenant', role: 'groups', tier: 'tier' },
  },
];

export default identityProviders;
