/** Credentials: who the SDK's default chain resolves to (STS GetCallerIdentity needs no permission). */
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import type { Environment } from '../../gateway-config/schema';
import { cannotCheck, describeError, fail, isNotImplemented, pass, type CheckResult } from './check';
import { clientConfig, type AwsTarget } from './target';

export const CREDENTIALS_FIX =
  'configure credentials for the target account: AWS_PROFILE=<profile> (after `aws sso login`), or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, or a CI role (docs/deploying-to-aws.md#credentials)';

export async function checkCredentials(environment: Environment, target: AwsTarget): Promise<{ result: CheckResult; accountId?: string }> {
  const title = 'credentials resolve to an account';
  try {
    const identity = await new STSClient(clientConfig(target, environment.region)).send(new GetCallerIdentityCommand({}));
    return { result: pass('credentials', title, `account ${identity.Account} as ${identity.Arn}`), accountId: identity.Account };
  } catch (err) {
    if (isNotImplemented(err)) return { result: cannotCheck('credentials', title, `the target does not implement STS GetCallerIdentity (${describeError(err)})`, CREDENTIALS_FIX) };
    if (target.endpoint && /ECONNREFUSED|ENOTFOUND|socket hang up/.test(`${(err as Error).message} ${(err as { code?: string }).code ?? ''}`)) {
      return { result: fail('credentials', title, `nothing answers at ${target.endpoint}`, 'start the emulator first (npm start -- --keep prints its endpoint; set GATEWAY_EMULATOR_ENDPOINT to it)') };
    }
    return { result: fail('credentials', title, describeError(err), CREDENTIALS_FIX) };
  }
}
