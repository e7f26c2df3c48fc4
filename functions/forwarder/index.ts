/** Lambda entry point: the environment's settings are bundled in at synth. */
import settings from 'gateway:forwarder-settings';
import { endpointOverride } from './endpoint';
import { createHandler } from './handler';

export const handler = createHandler(settings, { endpoint: endpointOverride(process.env.GATEWAY_BEDROCK_ENDPOINT) });
