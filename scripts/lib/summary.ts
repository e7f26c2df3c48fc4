/** Plain-text tables of a deployed gateway, for `npm start`. */
import type { DeploymentInfo } from './inspect-deployment';

/** Left-aligned text table with a header rule. */
export function table(headers: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd();
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

export interface SummaryInput {
  readonly environment: string;
  readonly endpoint: string;
  readonly invokeUrl: string;
  readonly stageName: string;
  readonly info: DeploymentInfo;
  readonly timings: ReadonlyArray<readonly [string, number]>;
  readonly resourcesCreated: number;
  /** Saved Logs Insights queries: created ones, and those the stack leaves out on this target (with why). */
  readonly queries?: { readonly created: readonly string[]; readonly skipped: readonly string[]; readonly skippedReason?: string };
  /** Where the local gateway serves the stack, when `npm start` serves it. */
  readonly servedAt?: string;
}

export function formatSummary(s: SummaryInput): string {
  const { info } = s;
  const base = s.invokeUrl.replace(/\/$/, '');
  const authorizer = (id?: string) => info.authorizers.find((a) => a.id === id)?.name ?? id ?? '-';
  const sections = [
    `Gateway "${s.environment}" deployed to the AWS API emulator at ${s.endpoint}`,
    '',
    table(
      ['What', 'Value'],
      [
        ['REST API', `${info.restApi.name} (${info.restApi.id}), ${info.restApi.endpointTypes.join(',')}, API key source ${info.restApi.apiKeySource}`],
        ['Stage', s.stageName],
        ['Invoke URL', s.servedAt ? `${base} (emulated; served locally at ${s.servedAt})` : `${base} (emulated: not callable)`],
        ['Authorizers', info.authorizers.map((a) => `${a.name} (${a.type}, cache ${a.ttl ?? 0} s)`).join(', ')],
        ['WAF', wafLine(info)],
        ...customDomainRows(info),
        ['Access logs', info.stage.accessLogDestination ? `${info.stage.accessLogDestination.replace(/^.*:log-group:/, '').replace(/:\*$/, '')} (JSON, ${info.stage.accessLogFormat?.length ?? 0} B format)` : 'off'],
        [
          'Method settings',
          info.stage.methodSettings
            ? `logging ${info.stage.methodSettings.loggingLevel ?? 'OFF'}, data trace ${info.stage.methodSettings.dataTraceEnabled ? 'ON' : 'off'}, metrics ${info.stage.methodSettings.metricsEnabled ? 'on' : 'off'}, throttle ${info.stage.methodSettings.throttlingRateLimit}/s burst ${info.stage.methodSettings.throttlingBurstLimit}`
            : 'defaults',
        ],
        ['X-Ray (stage)', info.stage.tracingEnabled ? 'on' : 'off'],
        ['Account CloudWatch role', info.cloudwatchRoleArn ?? 'not set by this stack'],
        ['Dashboards', info.dashboards.join(', ') || 'none'],
        ['Resources created', String(s.resourcesCreated)],
      ],
    ),
    ...(info.waf
      ? [
          '',
          'WAF rules (in evaluation order)',
          table(
            ['Priority', 'Rule', 'Action', 'Matches'],
            info.waf.rules.map((r) => [String(r.priority), r.name, r.action, r.match]),
          ),
        ]
      : []),
    '',
    'Routes',
    table(
      ['Method', 'Path', 'Auth', 'API key'],
      info.routes.map((r) => [r.method, r.path, `${r.authorizationType ?? '-'} ${r.authorizationType === 'CUSTOM' ? authorizer(r.authorizerId) : ''}`.trim(), r.apiKeyRequired ? 'required' : 'no']),
    ),
    '',
    'Tenants',
    table(
      ['Tenant', 'Tier', 'Enabled', 'Usage plan', 'Rate/s', 'Burst', 'Quota'],
      info.tenantKeys.map((k) => [
        k.tenant ?? k.name,
        k.tier ?? '-',
        k.enabled ? 'yes' : 'no',
        k.plan?.name ?? '(none)',
        String(k.plan?.rateLimit ?? '-'),
        String(k.plan?.burstLimit ?? '-'),
        k.plan?.quotaLimit !== undefined ? `${k.plan.quotaLimit.toLocaleString('en-US')}/${k.plan.quotaPeriod}` : '-',
      ]),
    ),
    '',
    'Log groups',
    table(
      ['Name', 'Retention'],
      info.logGroups.map((g) => [g.name, g.retentionInDays ? `${g.retentionInDays} d` : 'never expires']),
    ),
    '',
    'Gateway responses (errors SDK clients understand)',
    table(
      ['Response type', 'Status', 'x-amzn-ErrorType'],
      info.gatewayResponses.map((r) => [r.type, r.status ?? '(as API Gateway sets it)', r.errorType ?? '-']),
    ),
    '',
    'Alarms',
    table(
      ['Alarm', 'Metric', 'Threshold', 'Notifies'],
      info.alarms.map((a) => [a.name, a.metric ?? '-', String(a.threshold ?? '-'), a.actions.length > 0 ? a.actions.join(', ') : '-']),
    ),
    '',
    'Metric filters',
    table(['Filter', 'Pattern', 'Metric'], info.metricFilters.map((f) => [f.name, f.pattern ?? '', f.metric ?? ''])),
    '',
    'Saved Logs Insights queries',
    table(
      ['Query', 'State'],
      [
        ...(s.queries?.created ?? []).map((q) => [q, 'created']),
        ...(s.queries?.skipped ?? []).map((q) => [q, `not created${s.queries?.skippedReason ? `: ${s.queries.skippedReason}` : ''}`]),
      ],
    ),
    '',
    'Timings',
    table(['Step', 'Seconds'], s.timings.map(([step, ms]) => [step, (ms / 1000).toFixed(1)])),
  ];
  return sections.join('\n');
}

function wafLine(info: DeploymentInfo): string {
  const waf = info.waf;
  if (!waf) return 'not configured';
  const logging = waf.logging
    ? `logs ${waf.logging.keptActions ? waf.logging.keptActions.join('/') : 'all'} requests to ${waf.logging.destinations.map((d) => d.split(':log-group:')[1] ?? d).join(', ')}, ${waf.logging.redactedHeaders.join(', ') || 'nothing'} redacted`
    : 'no logging';
  return `${waf.name} (${waf.rules.length} rules, default ${waf.defaultAction}; ${logging})`;
}

function customDomainRows(info: DeploymentInfo): Array<[string, string]> {
  const domain = info.customDomain;
  if (!domain) return [];
  const mapping = domain.basePathMappings.map((m) => `/${m.basePath === '(none)' ? '' : m.basePath} -> ${m.restApiId}/${m.stage}`).join(', ');
  return [
    ['Custom domain', `https://${domain.domainName} (${domain.endpointTypes.join(',')}, ${domain.ipAddressType ?? 'ipv4'}, ${domain.securityPolicy ?? '-'}), maps ${mapping || 'nothing'}`],
    ['Certificate', `${domain.certificate.domainName ?? '-'}: ${domain.certificate.status ?? 'unknown'}`],
    ['DNS records', domain.records.map((r) => `${r.name} ${r.type}${r.aliasTarget ? ` -> ${r.aliasTarget}` : ''}`).join(', ') || 'none'],
    ['execute-api endpoint', info.restApi.disableExecuteApiEndpoint ? 'disabled (403): use the custom domain' : 'enabled'],
  ];
}
