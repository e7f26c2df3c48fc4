/**
 * `GATEWAY_BEDROCK_ENDPOINT`: where a forwarder run outside Lambda (the local gateway, tests)
 * sends its calls, a loopback Bedrock stand-in. Never set by the stack. Anything but a loopback
 * http(s) URL fails the cold start: the variable can never send tenant traffic elsewhere.
 */
const LOOPBACK_HOSTS = ['127.0.0.1', 'localhost', '[::1]'];

export function endpointOverride(value: string | undefined): string | undefined {
  if (value === undefined || value === '') return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error('GATEWAY_BEDROCK_ENDPOINT must be an http(s) URL on the loopback interface');
  }
  if (!['http:', 'https:'].includes(url.protocol) || !LOOPBACK_HOSTS.includes(url.hostname)) {
    throw new Error('GATEWAY_BEDROCK_ENDPOINT must be an http(s) URL on the loopback interface');
  }
  return value;
}
