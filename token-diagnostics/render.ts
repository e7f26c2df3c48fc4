/** Plain-text reports of explain-token and check-idp. */
import type { CheckStatus, Explanation } from './explain';

const MARK: Record<CheckStatus, string> = { pass: 'pass', fail: 'FAIL', skip: 'skip', 'not-reached': ' -- ' };
const DETAIL_INDENT = ' '.repeat(9);

export function renderExplanation(e: Explanation): string {
  const { request, outcome, audit } = e;
  const modelSource =
    request.modelSource === 'option' ? 'from --model' : request.modelSource === 'tenant' ? `the first model of the token's tenant; pass --model to ask about another` : 'the first catalogue model; pass --model to ask about another';
  const lines = [
    `explain-token: environment "${e.environment}"`,
    `request: POST /model/${request.model}/${request.route} (model: ${modelSource})`,
    `method ARN: ${request.methodArn} (account and API id are placeholders; the decision does not depend on them)`,
    '',
    `outcome: ${outcomeText(e)}`,
    `reason: ${outcome.reason}${outcome.detail === null ? '' : ` (detail: ${outcome.detail})`}`,
    `audit line: decision ${JSON.stringify(audit.decision)}, reason ${JSON.stringify(audit.reason)}, detail ${JSON.stringify(audit.detail)}, idp ${JSON.stringify(audit.idp)}, tenant ${JSON.stringify(audit.tenant)}, tier ${JSON.stringify(audit.tier)}, role ${JSON.stringify(audit.role)}`,
    '',
    "checks, in the authorizer's order:",
  ];
  for (const check of e.checks) {
    lines.push(`  [${MARK[check.status]}] ${check.title}: ${check.summary}`);
    for (const detail of check.details) lines.push(`${DETAIL_INDENT}${detail}`);
  }
  if (e.fixes.length > 0) {
    lines.push('', 'fix:');
    for (const fix of e.fixes) lines.push(`  - ${fix}`);
  }
  if (!e.consistent) lines.push('', "warning: explain-token's own reading disagreed with the authorizer on a check (marked \"note\" above); the outcome shown is the authorizer's");
  return `${lines.join('\n')}\n`;
}

function outcomeText(e: Explanation): string {
  switch (e.outcome.status) {
    case 401:
      return '401 Unauthorized: the authorizer refuses the token';
    case 403:
      return '403 Forbidden: the token is valid, but it may not make this call';
    default:
      return `allowed: API Gateway passes the call on to Bedrock, counted against tenant "${e.audit.tenant}"'s usage plan`;
  }
}
