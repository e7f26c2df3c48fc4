/** Lambda entry point: the environment's settings (with its tenant table) are bundled in at synth. */
import settings from 'gateway:authorizer-settings';
import { createHandler } from './handler';

export const handler = createHandler(settings);
