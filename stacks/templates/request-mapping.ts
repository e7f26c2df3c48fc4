/**
 * The integration request templates of the gateway routes, generated from the tenant stamp
 * (`functions/shared/tenant-stamp.ts`) so the entries stamped here are the ones the authorizer
 * fills and a forwarder would stamp.
 *
 * - Converse: the client's body passes through field by field, except `requestMetadata`, whose
 *   client entries outside the `gw-` prefix are kept and whose `gw-` entries are the gateway's
 *   (the prefix in any case: `GW-tenant` is dropped too, since Bedrock's key pattern
 *   `[a-zA-Z0-9\s:_@$#=/+,-.]` allows upper case).
 * - InvokeModel: the body passes through unchanged; the stamp goes into the header
 *   `X-Amzn-Bedrock-Request-Metadata` through `$context.requestOverride.header`, which replaces
 *   any value (so no client key, `gw-` in any case or not, reaches Bedrock's header) (API Gateway applies overrides after the standard parameter mappings; integration
 *   request parameters cannot build one value from several context variables):
 *   https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-override-request-response-parameters.html
 *
 * Values are written with `$util.escapeJavaScript`: the stamped ones are already encoded to
 * `[A-Za-z0-9._:@/+,=-]` (only `/` is escaped, as the valid JSON `\/`), and client metadata has
 * passed the request body model (Bedrock's character class, which has no `'`, the one character
 * `escapeJavaScript` escapes in a way JSON does not accept).
 */
import { AUTHORIZER_CONTEXT_KEYS, STAMPED_ENTRIES, STAMP_KEY_PREFIX, type StampedEntry } from '../../functions/shared/tenant-stamp';
import type { GatewayRoute } from '../../gateway-config/derive';

/** The header InvokeModel reads request metadata from (a JSON object of strings). */
export const INVOKE_METADATA_HEADER = 'X-Amzn-Bedrock-Request-Metadata';

/** API Gateway quota: mapping template size. */
export const MAX_MAPPING_TEMPLATE_BYTES = 300 * 1024;

const valueOf = (entry: StampedEntry): string =>
  entry.source.kind === 'request-id' ? '$context.requestId' : `$context.authorizer.${AUTHORIZER_CONTEXT_KEYS[entry.source.field]}`;

export function converseRequestTemplate(): string {
  const stamped = STAMPED_ENTRIES.map((e) => `    "${e.key}": "$util.escapeJavaScript(${valueOf(e)})"`).join(',\n');
  return [
    '## Generated (stacks/templates/request-mapping.ts): the Converse request as sent, with the gateway\'s requestMetadata entries.',
    "#set($body = $input.path('$'))",
    '{',
    '#foreach($field in $body.keySet())',
    "#if($field != 'requestMetadata')",
    '  "$field": $input.json("$.$field"),',
    '#end',
    '#end',
    '  "requestMetadata": {',
    "#if($body.containsKey('requestMetadata'))",
    '#set($client = $body.requestMetadata)',
    '#foreach($key in $client.keySet())',
    // Lower-cased first: Bedrock's key pattern allows upper case, so `GW-tenant` would otherwise
    // reach the invocation log beside the real `gw-tenant`.
    `#if(!$key.toLowerCase().startsWith('${STAMP_KEY_PREFIX}'))`,
    '    "$util.escapeJavaScript($key)": "$util.escapeJavaScript($client.get($key))",',
    '#end',
    '#end',
    '#end',
    stamped,
    '  }',
    '}',
    '',
  ].join('\n');
}

export function invokeRequestTemplate(): string {
  // `$!{q}` is a double quote (Velocity strings cannot escape one portably); the formal `$!{}` form
  // keeps `${` out of the template, which Terraform would read as interpolation.
  const json = STAMPED_ENTRIES.map((e) => `$!{q}${e.key}$!{q}:$!{q}$util.escapeJavaScript(${valueOf(e)})$!{q}`).join(',');
  return [
    `## Generated (stacks/templates/request-mapping.ts): the InvokeModel body unchanged; the gateway's metadata in ${INVOKE_METADATA_HEADER}.`,
    `#set($q = '"')`,
    `#set($context.requestOverride.header.${INVOKE_METADATA_HEADER} = "{${json}}")`,
    '$input.body',
  ].join('\n');
}

/** The request template of a route, checked against API Gateway's size limit. */
export function requestTemplateFor(route: GatewayRoute): string {
  const template = route === 'converse' ? converseRequestTemplate() : invokeRequestTemplate();
  const size = Buffer.byteLength(template, 'utf8');
  if (size > MAX_MAPPING_TEMPLATE_BYTES) throw new Error(`the ${route} request template is ${size} bytes; API Gateway allows at most ${MAX_MAPPING_TEMPLATE_BYTES}`);
  return template;
}
