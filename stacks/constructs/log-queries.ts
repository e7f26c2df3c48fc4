/**
 * Saved CloudWatch Logs Insights queries (`aws_cloudwatch_query_definition`), each answering one
 * operator question from the access log or the authorizer's audit lines. Field names come from
 * the access log format and the audit line, so a renamed field breaks a test, not a dashboard.
 */
import { Construct } from 'constructs';
import { CloudwatchQueryDefinition } from '@cdktf/provider-aws/lib/cloudwatch-query-definition';
import { AUTHORIZER_CONTEXT_KEYS } from '../../functions/shared/tenant-stamp';

const T = AUTHORIZER_CONTEXT_KEYS;
/** `path` is `/<stage>/model/<modelId>/<operation>`; the model id stays URL-encoded as sent. */
const PARSE_MODEL = 'parse path "*/model/*/*" as stagePath, modelId, operation';

export interface SavedQuery {
  readonly id: string;
  readonly question: string;
  readonly source: 'access' | 'authorizer';
  readonly query: string;
}

export const SAVED_QUERIES: readonly SavedQuery[] = [
  {
    id: 'requests-by-tenant-and-model',
    question: 'Requests, errors and latency per tenant and model',
    source: 'access',
    query: `fields @timestamp, ${T.tenant}, path, status, responseLatency\n| ${PARSE_MODEL}\n| stats count(*) as requests, avg(responseLatency) as avgMs, pct(responseLatency, 99) as p99Ms by ${T.tenant}, modelId, status\n| sort requests desc`,
  },
  {
    id: 'denied-by-reason',
    question: 'Denied (403) and unauthorized (401) decisions by reason and issuer',
    source: 'authorizer',
    query: 'filter audit = "authorizer" and decision != "allow"\n| stats count(*) as decisions by decision, reason, detail, issuer, tenant\n| sort decisions desc',
  },
  {
    id: 'top-callers',
    question: 'Top callers by subject',
    source: 'access',
    query: `filter ispresent(${T.subject}) and ${T.subject} != ""\n| stats count(*) as requests, sum(integrationLatency) as bedrockMs by ${T.tenant}, ${T.subject}, ${T.idp}\n| sort requests desc\n| limit 50`,
  },
  {
    id: 'throttled-by-tenant',
    question: 'Throttled and quota-exceeded requests per tenant (gateway limits and Bedrock 429s)',
    source: 'access',
    query: `filter status = "429" or integrationStatus = "429"\n| stats count(*) as requests by ${T.tenant}, responseType, integrationStatus\n| sort requests desc`,
  },
];

export interface LogInsightsQueriesProps {
  readonly namePrefix: string;
  readonly accessLogGroupName: string;
  readonly authorizerLogGroupName: string;
}

export class LogInsightsQueries extends Construct {
  readonly definitions: CloudwatchQueryDefinition[];

  constructor(scope: Construct, id: string, props: LogInsightsQueriesProps) {
    super(scope, id);
    this.definitions = SAVED_QUERIES.map(
      (q) =>
        new CloudwatchQueryDefinition(this, q.id, {
          name: `${props.namePrefix}/${q.id}`,
          logGroupNames: [q.source === 'access' ? props.accessLogGroupName : props.authorizerLogGroupName],
          queryString: q.query,
        }),
    );
  }
}
