/**
 * The Cognito pre token generation trigger of the recipe (docs/identity-providers/
 * cognito-pre-token-generation/index.js), loaded fresh with a given environment, and events
 * shaped like the ones Cognito sends (V2_0/V3_0 user sign-in, V3_0 client credentials).
 */
import * as path from 'node:path';
import { REPO_ROOT } from '../../helpers/config';

export const TRIGGER_DIR = path.join(REPO_ROOT, 'docs', 'identity-providers', 'cognito-pre-token-generation');

type Handler = (event: Record<string, unknown>) => Promise<{ response: { claimsAndScopeOverrideDetails: { accessTokenGeneration: { claimsToAddOrOverride: Record<string, unknown> } } } }>;

export function loadTrigger(env: Record<string, string> = {}): Handler {
  const saved = { ...process.env };
  Object.assign(process.env, env);
  try {
    let handler: Handler | undefined;
    jest.isolateModules(() => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      handler = require(path.join(TRIGGER_DIR, 'index.js')).handler as Handler;
    });
    if (handler === undefined) throw new Error('trigger did not load');
    return handler;
  } finally {
    for (const key of Object.keys(env)) if (saved[key] === undefined) delete process.env[key];
    Object.assign(process.env, saved);
  }
}

/** What Cognito sends when a user signs in (trigger sources TokenGeneration_*, version "2" or "3"). */
export function userSignInEvent(userAttributes: Record<string, string>, version: '2' | '3' = '2'): Record<string, unknown> {
  return {
    version,
    triggerSource: 'TokenGeneration_HostedAuth',
    region: 'us-east-1',
    userPoolId: 'us-east-1_EXAMPLE01',
    userName: 'alice',
    callerContext: { awsSdkVersion: 'aws-sdk-unknown-unknown', clientId: '4example0app0client0id0abc' },
    request: {
      userAttributes: { sub: 'aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee', email: 'alice@example.com', ...userAttributes },
      groupConfiguration: { groupsToOverride: ['ml-engineers'], iamRolesToOverride: [], preferredRole: null },
      scopes: ['aws.cognito.signin.user.admin', 'openid'],
    },
    response: { claimsAndScopeOverrideDetails: null },
  };
}

/** What Cognito sends (V3_0 only) when a machine caller uses the client-credentials grant. */
export function clientCredentialsEvent(clientId: string, clientMetadata?: Record<string, string>): Record<string, unknown> {
  return {
    version: '3',
    triggerSource: 'TokenGeneration_ClientCredentials',
    region: 'us-east-1',
    userPoolId: 'us-east-1_EXAMPLE01',
    userName: null,
    callerContext: { awsSdkVersion: 'aws-sdk-unknown-unknown', clientId },
    request: { userAttributes: {}, groupConfiguration: null, scopes: ['bedrock-gateway/invoke'], ...(clientMetadata ? { clientMetadata } : {}) },
    response: { claimsAndScopeOverrideDetails: null },
  };
}

/** The claims the trigger adds to the access token for `event`. */
export async function accessTokenClaims(handler: Handler, event: Record<string, unknown>): Promise<Record<string, unknown>> {
  return (await handler(structuredClone(event))).response.claimsAndScopeOverrideDetails.accessTokenGeneration.claimsToAddOrOverride;
}
