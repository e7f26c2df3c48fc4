/**
 * The edge's preconditions: the public hosted zone a custom domain is created in, and web ACL
 * names (a regional web ACL name is unique per account and region: WAF refuses a second one
 * with WAFDuplicateItemException). An existing web ACL carrying this environment's default tags
 * (`project`, `environment`) is this environment's own, from an earlier deploy.
 */
import { GetHostedZoneCommand, ListHostedZonesByNameCommand, Route53Client } from '@aws-sdk/client-route-53';
import { ListTagsForResourceCommand, ListWebACLsCommand, WAFV2Client, type WebACLSummary } from '@aws-sdk/client-wafv2';
import type { Environment } from '../../gateway-config/schema';
import { PROJECT_TAG } from '../../stacks/constructs/provider-and-backend';
import { resourcesOfType, type StackJson } from '../synthesized-stacks';
import { cannotCheck, describeError, fail, isNotImplemented, pass, type CheckResult } from './check';
import { clientConfig, type AwsTarget } from './target';

const withDot = (name: string) => (name.endsWith('.') ? name : `${name}.`);

export async function checkHostedZone(environment: Environment, target: AwsTarget): Promise<CheckResult[]> {
  const domain = environment.edge?.domain;
  if (!domain) return [];
  const zone = domain.hostedZone;
  const id = 'route53.hosted-zone';
  const title = `public hosted zone ${zone.name} exists`;
  const fix = `create the public hosted zone ${zone.name} and delegate it (NS records at the parent zone or registrar), or set edge.domain.hostedZone.id in config/environments.ts`;
  const route53 = new Route53Client(clientConfig(target, 'us-east-1'));
  try {
    if (zone.id) {
      const found = await route53.send(new GetHostedZoneCommand({ Id: zone.id }));
      const name = found.HostedZone?.Name ?? '';
      if (name !== withDot(zone.name)) return [fail(id, title, `hosted zone ${zone.id} is ${name}, not ${withDot(zone.name)}`, fix)];
      if (found.HostedZone?.Config?.PrivateZone) return [fail(id, title, `hosted zone ${zone.id} is private: certificate validation and clients need a public zone`, fix)];
      return [pass(id, title, `${zone.id} (${name})`)];
    }
    const listed = await route53.send(new ListHostedZonesByNameCommand({ DNSName: zone.name }));
    const matches = (listed.HostedZones ?? []).filter((z) => z.Name === withDot(zone.name) && !z.Config?.PrivateZone);
    if (matches.length === 0) return [fail(id, title, `no public hosted zone named ${withDot(zone.name)} in the account`, fix)];
    if (matches.length > 1) return [fail(id, title, `${matches.length} public hosted zones named ${withDot(zone.name)}: the lookup is ambiguous`, `set edge.domain.hostedZone.id to one of ${matches.map((z) => z.Id?.replace('/hostedzone/', '')).join(', ')}`)];
    return [pass(id, title, `${matches[0].Id?.replace('/hostedzone/', '')} (${matches[0].Name})`)];
  } catch (err) {
    if (isNotImplemented(err)) return [cannotCheck(id, title, describeError(err), fix)];
    return [fail(id, title, describeError(err), 'grant route53:ListHostedZonesByName and route53:GetHostedZone to run this check')];
  }
}

async function listWebAcls(waf: WAFV2Client): Promise<WebACLSummary[]> {
  const out: WebACLSummary[] = [];
  let NextMarker: string | undefined;
  do {
    const page = await waf.send(new ListWebACLsCommand({ Scope: 'REGIONAL', NextMarker, Limit: 100 }));
    out.push(...(page.WebACLs ?? []));
    NextMarker = page.WebACLs?.length ? page.NextMarker : undefined;
  } while (NextMarker);
  return out;
}

export async function checkWebAcls(environment: Environment, gateway: StackJson, target: AwsTarget): Promise<CheckResult[]> {
  const own = resourcesOfType(gateway, 'aws_wafv2_web_acl').map((r) => String(r.name));
  const external = environment.observability.waf?.webAclName;
  if (own.length === 0 && !external) return [];
  const waf = new WAFV2Client(clientConfig(target, environment.region));
  let existing: WebACLSummary[];
  try {
    existing = await listWebAcls(waf);
  } catch (err) {
    const result = isNotImplemented(err) ? cannotCheck : (i: string, t: string, d: string, f: string) => fail(i, t, d, f);
    return [result('waf.web-acl-name', 'web ACL names', describeError(err), 'grant wafv2:ListWebACLs to run this check')];
  }
  const results: CheckResult[] = [];
  for (const name of own) {
    const title = `web ACL name ${name} free or already this environment's`;
    const found = existing.find((w) => w.Name === name);
    if (!found) {
      results.push(pass('waf.web-acl-name', title, `no regional web ACL named ${name} in ${environment.region}`));
      continue;
    }
    const tags = await waf.send(new ListTagsForResourceCommand({ ResourceARN: found.ARN })).then(
      (t) => Object.fromEntries((t.TagInfoForResource?.TagList ?? []).map((tag) => [tag.Key, tag.Value])),
      () => ({}) as Record<string, string | undefined>,
    );
    results.push(
      tags.project === PROJECT_TAG && tags.environment === environment.name
        ? pass('waf.web-acl-name', title, `${name} exists with this environment's tags (an earlier deploy)`)
        : fail('waf.web-acl-name', title, `a web ACL named ${name} already exists in ${environment.region} (${found.ARN}) and is not tagged project=${PROJECT_TAG}, environment=${environment.name}`, `delete or rename that web ACL, or import it: terraform import 'aws_wafv2_web_acl.<address>' '${found.Id}/${name}/REGIONAL'`),
    );
  }
  if (external && !own.includes(external)) {
    const title = `web ACL ${external} (observability.waf.webAclName) exists`;
    results.push(
      existing.some((w) => w.Name === external)
        ? pass('waf.external-web-acl', title, `found in ${environment.region}`)
        : fail('waf.external-web-acl', title, `no regional web ACL named ${external} in ${environment.region}: its alarm and widget would watch nothing`, 'fix observability.waf.webAclName, or create that web ACL first'),
    );
  }
  return results;
}
