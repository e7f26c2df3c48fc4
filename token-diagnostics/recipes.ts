/**
 * Where docs/identity-providers.md explains each provider's claims, so a diagnosis can point
 * at the recipe that fixes it. The anchors are GitHub's heading slugs; a test checks that each
 * one exists in the document.
 */
import type { IdentityProviderSettings } from '../functions/authorizer/settings';

export const RECIPES_DOC = 'docs/identity-providers.md';

export const RECIPE_ANCHORS = {
  general: 'general-rules-for-any-oidc-provider',
  cognitoAccessTrigger: 'cognito-access-tokens-with-a-pre-token-generation-trigger',
  cognitoM2M: 'cognito-machine-to-machine-callers-client-credentials',
  cognitoIdTokens: 'cognito-id-tokens-instead-of-access-tokens',
  cognitoGroups: 'cognito-groups-as-roles',
  okta: 'okta',
  oktaClaims: 'okta-tenant-and-groups-claims',
  entra: 'microsoft-entra-id',
  entraTenantClaim: 'entra-id-tenant-claim-directory-extension',
  entraAppRoles: 'entra-id-app-roles-as-roles',
  entraMultiTenant: 'entra-id-multi-tenant-apps',
  diagnosing: 'diagnosing-a-refused-token',
} as const;

export type RecipeAnchor = (typeof RECIPE_ANCHORS)[keyof typeof RECIPE_ANCHORS];

export function recipeLink(anchor: RecipeAnchor): string {
  return `${RECIPES_DOC}#${anchor}`;
}

/** Which provider an issuer URL belongs to, as far as its shape tells. */
export type ProviderFlavor = 'cognito' | 'okta' | 'entra' | 'generic';

export function flavorOfIssuer(issuer: string, kind?: IdentityProviderSettings['kind']): ProviderFlavor {
  if (kind === 'cognito') return 'cognito';
  let host: string;
  try {
    host = new URL(issuer).hostname.toLowerCase();
  } catch {
    return 'generic';
  }
  if (/^cognito-idp\.[a-z0-9-]+\.amazonaws\.com(\.cn)?$/.test(host)) return 'cognito';
  if (host === 'login.microsoftonline.com' || host === 'sts.windows.net' || host.endsWith('.ciamlogin.com')) return 'entra';
  if (/\.(okta|oktapreview|okta-emea)\.com$/.test(host)) return 'okta';
  return 'generic';
}

/** The recipe that shows how to get the tenant claim into this provider's tokens. */
export function tenantClaimRecipe(idp: IdentityProviderSettings, machineCaller: boolean): RecipeAnchor {
  switch (flavorOfIssuer(idp.issuer, idp.kind)) {
    case 'cognito':
      if (idp.tokenUse === 'id') return RECIPE_ANCHORS.cognitoIdTokens;
      return machineCaller ? RECIPE_ANCHORS.cognitoM2M : RECIPE_ANCHORS.cognitoAccessTrigger;
    case 'okta':
      return RECIPE_ANCHORS.oktaClaims;
    case 'entra':
      return RECIPE_ANCHORS.entraTenantClaim;
    default:
      return RECIPE_ANCHORS.general;
  }
}

/** The recipe that shows how to get roles into this provider's tokens. */
export function roleClaimRecipe(idp: IdentityProviderSettings): RecipeAnchor {
  switch (flavorOfIssuer(idp.issuer, idp.kind)) {
    case 'cognito':
      return RECIPE_ANCHORS.cognitoGroups;
    case 'okta':
      return RECIPE_ANCHORS.oktaClaims;
    case 'entra':
      return RECIPE_ANCHORS.entraAppRoles;
    default:
      return RECIPE_ANCHORS.general;
  }
}

/** The provider's section for everything else (issuer, audience, token type). */
export function providerRecipe(flavor: ProviderFlavor): RecipeAnchor {
  switch (flavor) {
    case 'cognito':
      return RECIPE_ANCHORS.cognitoAccessTrigger;
    case 'okta':
      return RECIPE_ANCHORS.okta;
    case 'entra':
      return RECIPE_ANCHORS.entra;
    default:
      return RECIPE_ANCHORS.general;
  }
}
