import type { IdentityProviderInput } from '../gateway-config';

/** Identity providers whose tokens the authorizer accepts, chosen by the token's `iss`. */
const identityProviders: IdentityProviderInput[] = [
  {
    // Cognito user pool: access tokens carry `client_id` and `token_use`, not `aud`.
    id: 'cognito',
    kind: 'cognito',
    issuer: 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_EXAMPLE01',
    jwksUri: 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_EXAMPLE01/.well-known/jwks.json',
    audiences: ['4example0app0client0id0abc'],
    algorithms: ['RS256'],
    tokenUse: 'access',
    claims: { tenant: 'custom:tenant_id', role: 'cognito:groups', tier: 'custom:tier' },
  },
  {
    // Microsoft Entra ID, v2.0 access tokens for an app registration exposing an API.
    id: 'entra',
    kind: 'oidc',
    issuer: 'https://login.microsoftonline.com/00000000-0000-4000-8000-000000000001/v2.0',
    jwksUri: 'https://login.microsoftonline.com/00000000-0000-4000-8000-000000000001/discovery/v2.0/keys',
    audiences: ['api://bedrock-gateway', '00000000-0000-4000-8000-0000000000aa'],
    algorithms: ['RS256'],
    claims: { tenant: 'extn.tenant', role: 'roles' },
    maxTokenAgeSeconds: 86400,
  },
];

export default identityProviders;
