// Resolved at bundle time (stacks/constructs/nodejs-function.ts `jsonModules`) to the JSON
// settings of one environment.
declare module 'gateway:metering-settings' {
  import type { MeteringSettings } from './settings';
  const settings: MeteringSettings;
  export default settings;
}
