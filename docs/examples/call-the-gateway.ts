/**
 * Calling the gateway with the AWS SDK for JavaScript v3: a BedrockRuntimeClient whose endpoint
 * is the gateway and whose "signer" adds the Bearer JWT instead of SigV4.
 *
 *   GATEWAY_URL=$(terraform output -raw invoke_url) GATEWAY_TOKEN=<access token from your IdP> npx tsx docs/examples/call-the-gateway.ts
 */
import { BedrockRuntimeClient, ConverseCommand, type BedrockRuntimeClientConfig } from '@aws-sdk/client-bedrock-runtime';

/** `token` is called per request (and per retry), so a client can refresh it before it expires. */
export function gatewayClient(endpoint: string, token: () => Promise<string>, options: Partial<BedrockRuntimeClientConfig> = {}): BedrockRuntimeClient {
  return new BedrockRuntimeClient({
    region: 'us-east-1', // SDK bookkeeping only: the endpoint decides where requests go
    endpoint, // the stack output invoke_url (or custom_domain_url)
    credentials: { accessKeyId: 'unused', secretAccessKey: 'unused' }, // never sent: the gateway checks the JWT
    signer: {
      sign: async (request) => {
        request.headers.authorization = `Bearer ${await token()}`;
        return request;
      },
    },
    ...options,
  });
}

async function main(): Promise<void> {
  const endpoint = process.env.GATEWAY_URL;
  const jwt = process.env.GATEWAY_TOKEN;
  if (!endpoint || !jwt) throw new Error('set GATEWAY_URL and GATEWAY_TOKEN');
  const client = gatewayClient(endpoint, async () => jwt);
  const answer = await client.send(
    new ConverseCommand({
      modelId: 'anthropic.claude-3-haiku-20240307-v1:0',
      messages: [{ role: 'user', content: [{ text: 'Say hello in five words.' }] }],
      inferenceConfig: { maxTokens: 50 },
      requestMetadata: { team: 'search' }, // kept next to the gateway's gw-* entries
    }),
  );
  console.log(answer.output?.message?.content?.[0]?.text, answer.usage);
}

if (require.main === module) {
  main().catch((err: { name?: string; message?: string; $metadata?: { httpStatusCode?: number; requestId?: string } }) => {
    // AccessDeniedException (401/403), ThrottlingException and ServiceQuotaExceededException (429), ...
    console.error(err.name, err.$metadata?.httpStatusCode, err.message, `request id ${err.$metadata?.requestId}`);
    process.exitCode = 1;
  });
}
