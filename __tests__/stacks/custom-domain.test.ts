import type { DomainSettings, EdgeInput } from '../../gateway-config/edge-schema';
import { synthWarnings } from '../../stacks/synth-warnings';
import { exampleConfig, exampleConfigWith } from '../helpers/config';
import { resourcesOf, synthGateway, type Synthesized, type TerraformJson } from '../helpers/synth';

const config = exampleConfig();
const prod = synthGateway(config, 'prod');
const dev = synthGateway(config, 'dev');

/** The example's dev environment with `edge`, synthesized. */
function devWith(edge: EdgeInput): Synthesized {
  return synthGateway(
    exampleConfigWith((input) => (input.environments[0].edge = edge)),
    'dev',
  );
}
const domainInput = (more: Partial<DomainSettings> = {}) => ({ name: 'dev.ai.example.com', hostedZone: { name: 'example.com' }, ...more });

type Found = Record<string, any> & { id: string; ref: (attr: string) => string };
const all = (json: TerraformJson, type: string): Found[] => Object.entries(resourcesOf(json, type)).map(([id, r]) => ({ id, ref: (attr: string) => `\${${type}.${id}.${attr}}`, ...r }));
const only = (json: TerraformJson, type: string) => {
  const found = all(json, type);
  if (found.length !== 1) throw new Error(`expected one ${type}, found ${found.length}`);
  return found[0];
};
const DOMAIN_TYPES = ['aws_acm_certificate', 'aws_acm_certificate_validation', 'aws_route53_record', 'aws_api_gateway_domain_name', 'aws_api_gateway_base_path_mapping'];
const zoneRef = (json: TerraformJson) => `\${data.aws_route53_zone.${Object.keys(json.data!.aws_route53_zone)[0]}.zone_id}`;

describe('custom domain', () => {
  test('the hosted zone is looked up by name (public zones only)', () => {
    expect(Object.values(prod.json.data!.aws_route53_zone)).toEqual([expect.objectContaining({ name: 'example.com', private_zone: false })]);
  });

  test('ACM certificate for the domain, validated by DNS, replaced before it is destroyed', () => {
    expect(only(prod.json, 'aws_acm_certificate')).toMatchObject({
      domain_name: 'ai.example.com',
      validation_method: 'DNS',
      lifecycle: { create_before_destroy: true },
    });
    expect(only(prod.json, 'aws_acm_certificate').subject_alternative_names).toBeUndefined();
  });

  test('one validation record per name ACM asks for, in the zone, overwritable; the validation waits for them', () => {
    const cert = only(prod.json, 'aws_acm_certificate');
    const records = all(prod.json, 'aws_route53_record').filter((r) => r.for_each !== undefined);
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({
      for_each: `\${{ for key, val in tolist(${cert.ref('domain_validation_options').slice(2, -1)}): val.domain_name => val }}`,
      zone_id: zoneRef(prod.json),
      name: '${each.value.resource_record_name}',
      type: '${each.value.resource_record_type}',
      records: ['${each.value.resource_record_value}'],
      ttl: 60,
      allow_overwrite: true,
    });
    expect(only(prod.json, 'aws_acm_certificate_validation')).toMatchObject({
      certificate_arn: cert.ref('arn'),
      validation_record_fqdns: `\${[for record in aws_route53_record.${records[0].id} : record.fqdn]}`,
    });
  });

  test('REGIONAL domain name, TLS 1.2 minimum, dualstack, on the validated certificate', () => {
    expect(only(prod.json, 'aws_api_gateway_domain_name')).toMatchObject({
      domain_name: 'ai.example.com',
      regional_certificate_arn: only(prod.json, 'aws_acm_certificate_validation').ref('certificate_arn'),
      endpoint_configuration: { types: ['REGIONAL'], ip_address_type: 'dualstack' },
      security_policy: 'TLS_1_2',
    });
    expect(only(prod.json, 'aws_api_gateway_domain_name').certificate_arn).toBeUndefined();
  });

  test('base path mapping of the domain root to the stage', () => {
    const mapping = only(prod.json, 'aws_api_gateway_base_path_mapping');
    expect(mapping).toMatchObject({
      api_id: '${aws_api_gateway_rest_api.rest-api_1547DDCA.id}',
      stage_name: '${aws_api_gateway_stage.stage.stage_name}',
      domain_name: only(prod.json, 'aws_api_gateway_domain_name').ref('domain_name'),
    });
    expect(mapping.base_path).toBeUndefined();
  });

  test('A and AAAA alias records to the regional domain name', () => {
    const domain = only(prod.json, 'aws_api_gateway_domain_name');
    const aliases = all(prod.json, 'aws_route53_record').filter((r) => r.alias !== undefined);
    expect(aliases.map(({ name, type, zone_id, alias }) => ({ name, type, zone_id, alias }))).toEqual(
      ['A', 'AAAA'].map((type) => ({
        name: 'ai.example.com',
        type,
        zone_id: zoneRef(prod.json),
        alias: { name: domain.ref('regional_domain_name'), zone_id: domain.ref('regional_zone_id'), evaluate_target_health: false },
      })),
    );
  });

  test('the execute-api endpoint is off, and the deployment is redeployed for it to take effect', () => {
    expect(only(prod.json, 'aws_api_gateway_rest_api').disable_execute_api_endpoint).toBe(true);
    expect(only(prod.json, 'aws_api_gateway_deployment').triggers).toMatchObject({ execute_api_endpoint: 'disabled' });
  });

  test('custom_domain_url output with a description; invoke_url says the endpoint is off', () => {
    expect(prod.json.output.custom_domain_url).toEqual({
      description: 'Base URL of the gateway on its custom domain; Bedrock Runtime SDK clients use it as their endpoint',
      value: `https://${only(prod.json, 'aws_api_gateway_domain_name').ref('domain_name')}`,
    });
    expect(prod.json.output.invoke_url.description).toBe('Base URL of the stage on the execute-api endpoint, which is turned off (403): use custom_domain_url');
  });

  test('a hosted zone id skips the lookup', () => {
    const { json } = devWith({ domain: domainInput({ hostedZone: { name: 'example.com', id: 'Z0123456789ABCDEFGHIJ' } }) });
    expect(json.data?.aws_route53_zone).toBeUndefined();
    expect(all(json, 'aws_route53_record').map((r) => r.zone_id)).toEqual(['Z0123456789ABCDEFGHIJ', 'Z0123456789ABCDEFGHIJ', 'Z0123456789ABCDEFGHIJ']);
  });

  test('a base path maps the stage under it, and the URL includes it', () => {
    const { json } = devWith({ domain: domainInput({ basePath: 'bedrock' }) });
    expect(only(json, 'aws_api_gateway_base_path_mapping').base_path).toBe('bedrock');
    expect(json.output.custom_domain_url.value).toBe(`https://${only(json, 'aws_api_gateway_domain_name').ref('domain_name')}/bedrock`);
  });

  test('keepExecuteApiEndpoint keeps the endpoint on, with a synth warning that clients can bypass the domain', () => {
    const kept = devWith({ domain: domainInput({ keepExecuteApiEndpoint: true }) });
    expect(only(kept.json, 'aws_api_gateway_rest_api').disable_execute_api_endpoint).toBe(false);
    expect(only(kept.json, 'aws_api_gateway_deployment').triggers.execute_api_endpoint).toBeUndefined();
    expect(synthWarnings(kept.stack).filter((w) => !w.includes('/token-budgets/'))).toEqual([
      'gateway-dev/rest-api/api: environment dev: edge.domain.keepExecuteApiEndpoint is true, so the default execute-api endpoint stays reachable next to dev.ai.example.com: clients can bypass the custom domain. Remove the setting once clients have moved to the domain.',
    ]);
    expect(synthWarnings(prod.stack)).toEqual([]);
    expect(kept.json.output.invoke_url.description).toBe('Base URL of the gateway stage; Bedrock Runtime SDK clients use it as their endpoint');
  });
});

describe('no custom domain', () => {
  test.each([
    ['no edge section (dev)', dev.json],
    ['WAF only', devWith({ waf: {} }).json],
  ])('%s: no certificate, records, domain name, mapping or zone lookup; execute-api endpoint on', (_, json) => {
    for (const type of DOMAIN_TYPES) expect([type, resourcesOf(json, type)]).toEqual([type, {}]);
    expect(json.data?.aws_route53_zone).toBeUndefined();
    expect(only(json, 'aws_api_gateway_rest_api').disable_execute_api_endpoint).toBe(false);
    expect(Object.keys(only(json, 'aws_api_gateway_deployment').triggers).sort()).toEqual(['configuration', 'resources']);
    expect(json.output.custom_domain_url).toBeUndefined();
  });
});
