/**
 * Endpoint overrides for functions run outside Lambda (the local gateway, tests): an environment
 * variable that redirects one AWS API to a loopback stand-in or emulator. Never set by the stacks.
 * Anything but a loopback http(s) URL fails the cold start, so such a variable can never send a
 * function's calls (or its signed requests) anywhere else.
 */
const LOOPBACK_HOSTS = ['127.0.0.1', 'localhost', '[::1]'];

/** The override in `value` (of the variable `name`), or undefined when unset; throws when not loopback. */
export function loopbackEndpointOverride(name: string, value: string | undefined): string | undefined {
  if (value === undefined || value === '') return undefined;
  const refused = `${name} must be an http(s) URL on the loopback interface`;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error(refused);
  }
  if (!['http:', 'https:'].includes(url.protocol) || !LOOPBACK_HOSTS.includes(url.hostname)) throw new Error(refused);
  return value;
}
