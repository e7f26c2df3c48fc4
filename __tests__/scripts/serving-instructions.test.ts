/** What `npm start` prints once it serves (scripts/lib/serving-instructions.ts), line by line. */
import { servingInstructions } from '../../scripts/lib/serving-instructions';

const ENDPOINT = 'http://127.0.0.1:41234/local';
const TOKEN = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln';
const HAIKU = 'anthropic.claude-3-haiku-20240307-v1:0';

test('direct mode with an example tenant: endpoint, TOKEN=, a curl with the percent-encoded model id, the SDK example, the triggers, Ctrl-C', () => {
  expect(servingInstructions({ endpoint: ENDPOINT, example: { tenant: 'acme', token: TOKEN, modelId: HAIKU }, keep: false }).split('\n')).toEqual([
    '',
    'The gateway is served at http://127.0.0.1:41234/local (a development tool, not a production server; docs/local-gateway.md).',
    '',
    'A token for tenant acme (valid 1 h; more: npm run token -- --tenant <id> [--idp <id>] [--role <r>] [--ttl <s>]):',
    `  TOKEN=${TOKEN}`,
    '',
    'curl:',
    `  curl -s -X POST 'http://127.0.0.1:41234/local/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse' -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' -d '{"messages":[{"role":"user","content":[{"text":"Hello"}]}]}'`,
    '',
    'AWS SDK for JavaScript v3 (save as example.js in this directory, then: node example.js):',
    "  const { BedrockRuntimeClient, ConverseCommand } = require('@aws-sdk/client-bedrock-runtime');",
    `  const client = new BedrockRuntimeClient({ region: 'us-east-1', endpoint: 'http://127.0.0.1:41234/local', token: { token: '${TOKEN}' }, authSchemePreference: ['httpBearerAuth'] });`,
    `  client.send(new ConverseCommand({ modelId: '${HAIKU}', messages: [{ role: 'user', content: [{ text: 'Hello' }] }] }))`,
    "    .then((r) => console.log(r.output.message.content[0].text), (e) => { console.error(e.name, e.message); process.exitCode = 1; });",
    '',
    'Bedrock stand-in trigger inputs (in a message text): [stand-in:throttle] [stand-in:not-ready] [stand-in:validation] [stand-in:unavailable] [stand-in:teapot]',
    '',
    'Ctrl-C stops the gateway and the emulator.',
  ]);
});

test('forwarder mode, --keep, no tenant to show: the forwarder line, no token or examples, the emulator kept', () => {
  expect(servingInstructions({ endpoint: 'http://127.0.0.1:41235/local-forwarder', forwarderFunctions: ['bedrock-gw-local-forwarder-forwarder'], keep: true }).split('\n')).toEqual([
    '',
    'The gateway is served at http://127.0.0.1:41235/local-forwarder (a development tool, not a production server; docs/local-gateway.md).',
    "Integration mode forwarder: bedrock-gw-local-forwarder-forwarder runs in a worker thread with its role's session (assumed on the emulator); the Bedrock stand-in verifies the SigV4 signature of every call it makes.",
    '',
    'Ctrl-C stops the gateway; the emulator keeps running (npm run local:stop).',
  ]);
});
