/**
 * `GATEWAY_BEDROCK_ENDPOINT`: where a forwarder run outside Lambda (the local gateway, tests)
 * sends its calls, a loopback Bedrock stand-in. Never set by the stack. Anything but a loopback
 * http(s) URL fails the cold start: the variable can never send tenant traffic elsewhere.
 */
import { loopbackEndpointOverride } from '../shared/loopback-endpoint';

export function endpointOverride(value: string | undefined): string | undefined {
  return loopbackEndpointOverride('GATEWAY_BEDROCK_ENDPOINT', value);
}
