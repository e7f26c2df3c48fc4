/**
 * Evaluates an API Gateway authorizer policy against a method ARN the way API Gateway does:
 * an explicit Deny wins, then any matching Allow, else the implicit deny. Resource patterns use
 * IAM wildcards (`*` any run of characters, `?` exactly one). Lets tests say "allows X, denies Y".
 */
import type { AuthorizerResponse, PolicyStatement } from '../../../../functions/authorizer/policy';

export type Effect = 'Allow' | 'Deny';

function matchesPattern(pattern: string, value: string): boolean {
  const source = pattern
    .split('')
    .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\/-]/g, '\\$&')))
    .join('');
  return new RegExp(`^${source}$`, 's').test(value);
}

function statementMatches(statement: PolicyStatement, methodArn: string): boolean {
  const actions = Array.isArray(statement.Action) ? statement.Action : [statement.Action];
  if (!actions.some((a: string) => matchesPattern(a, 'execute-api:Invoke'))) return false;
  const resources: readonly string[] = typeof statement.Resource === 'string' ? [statement.Resource] : statement.Resource;
  return resources.some((r) => matchesPattern(r, methodArn));
}

/** The effect API Gateway applies to `methodArn` under `response`'s policy. */
export function evaluatePolicy(response: AuthorizerResponse, methodArn: string): Effect {
  const statements = response.policyDocument.Statement;
  if (statements.some((s) => s.Effect === 'Deny' && statementMatches(s, methodArn))) return 'Deny';
  return statements.some((s) => s.Effect === 'Allow' && statementMatches(s, methodArn)) ? 'Allow' : 'Deny';
}
