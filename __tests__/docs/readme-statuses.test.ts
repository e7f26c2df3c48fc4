/**
 * The README's "Every status a client can get" table against the synthesized gateway responses:
 * every row API Gateway produces names a response type, and its status, `x-amzn-ErrorType` and
 * body message must be what the stack deploys for that type; every gateway response the stack
 * deploys has a row. So the table cannot drift from `stacks/constructs/gateway-responses.ts`.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { exampleConfig, REPO_ROOT } from '../helpers/config';
import { resourcesOf, synthGateway } from '../helpers/synth';

const README = readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');

interface Row {
  readonly status: string;
  readonly producedBy: string;
  readonly errorType: string;
  readonly message: string;
}

/** The rows of the table under `## Every status a client can get`. */
function statusTable(markdown: string): Row[] {
  const section = markdown.split('\n## Every status a client can get\n')[1].split('\n## ')[0];
  const lines = section.split('\n').filter((line) => line.startsWith('|'));
  expect(lines[0]).toBe('| status | produced by | when | `x-amzn-ErrorType` (SDK exception) | body `message` |');
  return lines.slice(2).map((line) => {
    const cells = line.slice(1, -1).split(' | ').map((c) => c.trim());
    expect(cells).toHaveLength(5);
    return { status: cells[0], producedBy: cells[1], errorType: cells[3], message: cells[4] };
  });
}

const { json } = synthGateway(exampleConfig(), 'dev');
const deployed = new Map(
  Object.values(resourcesOf(json, 'aws_api_gateway_gateway_response')).map((r) => {
    const template = (r.response_templates as Record<string, string>)['application/json'];
    const message = template.match(/^\{"message":(.*),"requestId":"\$context\.requestId"\}$/)![1];
    return [
      r.response_type as string,
      {
        status: r.status_code as string | undefined,
        errorType: (r.response_parameters as Record<string, string>)['gatewayresponse.header.x-amzn-ErrorType'].replace(/^'|'$/g, ''),
        // API Gateway's own (already quoted) message, or the static text with its placeholders as the README writes them.
        message: message === '$context.error.messageString' ? "API Gateway's message" : (JSON.parse(message) as string).replace('$context.error.validationErrorString', "<validator's error>"),
      },
    ] as const;
  }),
);

const rows = statusTable(README);
/** Rows whose response type API Gateway answers with the deployed response itself: `API Gateway (`TYPE`)`. */
const direct = rows.filter((r) => /^API Gateway \(`[A-Z_0-9]+`\)/.test(r.producedBy));
/** Rows answered through a default response: `API Gateway (`TYPE` ..., via `DEFAULT_4XX`)`. */
const viaDefault = rows.filter((r) => /via `DEFAULT_[45]XX`\)/.test(r.producedBy));
const typeOf = (row: Row) => row.producedBy.match(/^API Gateway \(`([A-Z_0-9]+)`/)![1];
const unquote = (cell: string) => cell.replace(/^`(.*)`$/, '$1');
/** The exception name of an `x-amzn-ErrorType` cell (a note may follow it). */
const exceptionOf = (cell: string) => cell.match(/^`(\w+)`(?: \([^`]*\))?$/)![1];

test('the table has every kind of API Gateway row (so the parsing below is not vacuous)', () => {
  expect(direct.map(typeOf)).toEqual(['BAD_REQUEST_BODY', 'UNAUTHORIZED', 'ACCESS_DENIED', 'MISSING_AUTHENTICATION_TOKEN', 'UNSUPPORTED_MEDIA_TYPE', 'THROTTLED', 'QUOTA_EXCEEDED', 'INVALID_API_KEY']);
  expect(viaDefault.map((r) => r.status)).toEqual(['413', '500', '504']);
});

test.each(direct.map((r) => [typeOf(r), r] as const))('%s: status, x-amzn-ErrorType and message are what the stack deploys', (type, row) => {
  const response = deployed.get(type);
  expect(response).toBeDefined();
  expect(row.status).toBe(response!.status);
  expect(exceptionOf(row.errorType)).toBe(response!.errorType);
  expect(unquote(row.message)).toBe(response!.message);
});

test.each(viaDefault.map((r) => [r.status, r] as const))('%s through a default response: its x-amzn-ErrorType, and API Gateway\'s status and message', (_, row) => {
  const type = row.producedBy.match(/via `(DEFAULT_[45]XX)`\)/)![1];
  const response = deployed.get(type)!;
  expect(response.status).toBeUndefined();
  expect(row.status.startsWith(type === 'DEFAULT_4XX' ? '4' : '5')).toBe(true);
  expect(exceptionOf(row.errorType)).toBe(response.errorType);
  expect(response.message).toBe("API Gateway's message");
});

test('the catch-all row names both default responses with their x-amzn-ErrorType', () => {
  const row = rows.find((r) => r.producedBy === 'API Gateway (`DEFAULT_4XX` / `DEFAULT_5XX`)')!;
  expect(row.status).toBe('other 4XX / 5XX');
  expect(row.errorType).toBe(`\`${deployed.get('DEFAULT_4XX')!.errorType}\` / \`${deployed.get('DEFAULT_5XX')!.errorType}\``);
  expect(row.message).toBe("API Gateway's message");
});

test('every gateway response the stack deploys has a row', () => {
  expect([...deployed.keys()].sort()).toEqual([...direct.map(typeOf), 'DEFAULT_4XX', 'DEFAULT_5XX'].sort());
});
