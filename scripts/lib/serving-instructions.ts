/**
 * What `npm start` prints once the gateway is served: the endpoint, a token for an example tenant,
 * a curl and an AWS SDK example to paste (the end-to-end test runs the SDK one as printed), the
 * stand-in's trigger inputs and how to stop. A pure function of its inputs, so it is tested line by line.
 */
import { curlExample, sdkExample } from '../../local-gateway/serve';

export interface ServingInstructionsInput {
  /** The served gateway's base URL (`http://127.0.0.1:<port>/<stage>`). */
  readonly endpoint: string;
  /** Integration mode forwarder: the AWS_PROXY functions served with their role's session. */
  readonly forwarderFunctions?: readonly string[];
  /** The first enabled tenant with a model, a development token for it and its first model. */
  readonly example?: { readonly tenant: string; readonly token: string; readonly modelId: string };
  /** `--keep`: the emulator outlives the gateway. */
  readonly keep: boolean;
}

export function servingInstructions({ endpoint, forwarderFunctions, example, keep }: ServingInstructionsInput): string {
  const lines = ['', `The gateway is served at ${endpoint} (a development tool, not a production server; docs/local-gateway.md).`];
  if (forwarderFunctions && forwarderFunctions.length > 0) {
    lines.push(`Integration mode forwarder: ${forwarderFunctions.join(', ')} runs in a worker thread with its role's session (assumed on the emulator); the Bedrock stand-in verifies the SigV4 signature of every call it makes.`);
  }
  if (example) {
    lines.push(
      '',
      `A token for tenant ${example.tenant} (valid 1 h; more: npm run token -- --tenant <id> [--idp <id>] [--role <r>] [--ttl <s>]):`,
      `  TOKEN=${example.token}`,
      '',
      'curl:',
      `  ${curlExample(endpoint, '$TOKEN', example.modelId)}`,
      '',
      'AWS SDK for JavaScript v3 (save as example.js in this directory, then: node example.js):',
      ...sdkExample(endpoint, example.token, example.modelId).split('\n').map((l) => `  ${l}`),
      '',
      'Bedrock stand-in trigger inputs (in a message text): [stand-in:throttle] [stand-in:not-ready] [stand-in:validation] [stand-in:unavailable] [stand-in:teapot]',
    );
  }
  lines.push('', keep ? 'Ctrl-C stops the gateway; the emulator keeps running (npm run local:stop).' : 'Ctrl-C stops the gateway and the emulator.');
  return lines.join('\n');
}
