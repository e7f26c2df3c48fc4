// Amazon Cognito pre token generation trigger for bedrock-ai-gateway (event version V2_0 or
// V3_0; Node.js 22). It copies the caller's tenant into the ACCESS token as `custom:tenant_id`
// (Cognito puts custom attributes only in ID tokens by itself), and the user's tier as
// `custom:tier`.
//
// - Users (V2_0 and V3_0): the tenant is the user's `custom:tenant_id` attribute. Only
//   administrators may write it: the app client's write_attributes leave it out.
// - Machine-to-machine callers (client credentials, V3_0 only): the tenant comes from
//   TENANT_BY_CLIENT_ID, a JSON object app client id -> tenant id set by Terraform. Never from
//   clientMetadata: the caller chooses that.
'use strict';

const TENANT_BY_CLIENT_ID = JSON.parse(process.env.TENANT_BY_CLIENT_ID || '{}');
const COPIED_USER_ATTRIBUTES = ['custom:tenant_id', 'custom:tier'];

exports.handler = async (event) => {
  const claims = {};
  if (event.triggerSource === 'TokenGeneration_ClientCredentials') {
    const clientId = event.callerContext.clientId;
    const tenant = Object.hasOwn(TENANT_BY_CLIENT_ID, clientId) ? TENANT_BY_CLIENT_ID[clientId] : undefined;
    if (typeof tenant === 'string' && tenant !== '') claims['custom:tenant_id'] = tenant;
  } else {
    const attributes = event.request.userAttributes || {};
    for (const name of COPIED_USER_ATTRIBUTES) {
      const value = attributes[name];
      if (typeof value === 'string' && value !== '') claims[name] = value;
    }
  }
  event.response = {
    claimsAndScopeOverrideDetails: {
      accessTokenGeneration: { claimsToAddOrOverride: claims },
    },
  };
  return event;
};
