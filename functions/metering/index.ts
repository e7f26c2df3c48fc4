/** Lambda entry point of the metering function: the environment's settings are bundled in at synth. */
import settings from 'gateway:metering-settings';
import { meteringHandlerFromEnvironment } from './handler';

export const handler = meteringHandlerFromEnvironment(settings);
