/**
 * How an issuer someone saw (a token's `iss`, a discovery document's `issuer`) differs from a
 * configured one, in words that name the fix. Issuers must match exactly (OpenID Connect Core
 * 3.1.3.7, Discovery 4.3), so every difference, however small, refuses every token.
 */
import { RECIPE_ANCHORS, recipeLink } from './recipes';

const ENTRA_V2 = /^https:\/\/login\.microsoftonline\.com\/([^/]+)\/v2\.0$/;
const ENTRA_V1 = /^https:\/\/sts\.windows\.net\/([^/]+)\/$/;
const ENTRA_AUTHORITY = /^https:\/\/login\.microsoftonline\.com\/([^/]+)\/?$/;
const COGNITO = /^https:\/\/cognito-idp\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?\/([^/]+)$/;
const OKTA_CUSTOM = /^(https:\/\/[^/]+)\/oauth2\/([^/]+)$/;
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** One sentence on how `seen` differs from `configured`, or undefined when no known pattern fits. */
export function describeIssuerDifference(configured: string, seen: string): string | undefined {
  if (configured === seen) return undefined;
  if (seen === `${configured}/` || configured === `${seen}/`) {
    return `differs from the configured issuer only by a trailing slash; issuers are compared exactly, so set issuer to "${seen}"`;
  }
  if (configured.toLowerCase() === seen.toLowerCase()) return `differs from the configured issuer only in letter case; issuers are compared exactly`;
  if (configured.replace(/^https:/, 'http:') === seen) return 'uses http:// where the configured issuer uses https://';

  const entra = describeEntra(configured, seen);
  if (entra !== undefined) return entra;

  const cognitoConfigured = COGNITO.exec(configured);
  const cognitoSeen = COGNITO.exec(seen);
  if (cognitoConfigured && cognitoSeen) {
    if (cognitoConfigured[1] !== cognitoSeen[1]) return `is a Cognito user pool in ${cognitoSeen[1]}, the configured one is in ${cognitoConfigured[1]}`;
    return `is another Cognito user pool (${cognitoSeen[2]}; configured: ${cognitoConfigured[2]})`;
  }

  const oktaConfigured = OKTA_CUSTOM.exec(configured);
  if (oktaConfigured) {
    const origin = oktaConfigured[1];
    if (seen === origin || seen === `${origin}/`) {
      return `is the Okta org authorization server, whose access tokens only Okta may validate; request tokens from the custom authorization server ${configured} (${recipeLink(RECIPE_ANCHORS.okta)})`;
    }
    const oktaSeen = OKTA_CUSTOM.exec(seen);
    if (oktaSeen && oktaSeen[1] === origin) return `is another Okta authorization server (${oktaSeen[2]}; configured: ${oktaConfigured[2]})`;
  }
  return undefined;
}

function describeEntra(configured: string, seen: string): string | undefined {
  const configuredV2 = ENTRA_V2.exec(configured);
  const configuredV1 = ENTRA_V1.exec(configured);
  const configuredTenant = configuredV2?.[1] ?? configuredV1?.[1] ?? ENTRA_AUTHORITY.exec(configured)?.[1];
  if (configuredTenant === undefined) return undefined;
  const seenV2 = ENTRA_V2.exec(seen);
  const seenV1 = ENTRA_V1.exec(seen);
  const seenTenant = seenV2?.[1] ?? seenV1?.[1];
  if (seenTenant === undefined) return undefined;

  if (seenTenant === '{tenantid}') {
    return `is the multi-tenant template that the common and organizations endpoints publish; tokens carry each customer's own tenant id, so configure one identity provider per Entra tenant with issuer https://login.microsoftonline.com/<tenant id>/v2.0 (${recipeLink(RECIPE_ANCHORS.entraMultiTenant)})`;
  }
  if (configuredV2 && seenV1) {
    return `is a v1.0 issuer: the API's app registration issues v1.0 access tokens; set accessTokenAcceptedVersion to 2 in its manifest to get v2.0 tokens with issuer https://login.microsoftonline.com/${seenTenant}/v2.0 (${recipeLink(RECIPE_ANCHORS.entra)})`;
  }
  if (!configuredV2 && !configuredV1 && seenV1) {
    return `is the v1.0 issuer that the authority URL's v1.0 metadata names; for v2.0 access tokens use issuer https://login.microsoftonline.com/${seenTenant}/v2.0 and jwksUri https://login.microsoftonline.com/${seenTenant}/discovery/v2.0/keys (${recipeLink(RECIPE_ANCHORS.entra)})`;
  }
  if (configuredV1 && seenV2) return 'is a v2.0 issuer, the configured one is v1.0 (https://sts.windows.net/<tenant>/)';
  if (!configuredV2 && !configuredV1 && seenV2) {
    return `is the v2.0 issuer of tenant ${seenTenant}; the configured issuer is an authority URL, not an issuer: use https://login.microsoftonline.com/${seenTenant}/v2.0`;
  }
  if (configuredTenant.toLowerCase() !== seenTenant.toLowerCase()) {
    if (!GUID.test(configuredTenant)) {
      return `names the tenant by its id ${seenTenant}; the configured issuer names it "${configuredTenant}", but tokens always carry the tenant's GUID`;
    }
    return `is Entra tenant ${seenTenant}, the configured one is ${configuredTenant}; a multi-tenant app needs one identity provider per tenant (${recipeLink(RECIPE_ANCHORS.entraMultiTenant)})`;
  }
  return undefined;
}
