// Resolved at bundle time by the esbuild alias in stacks/constructs/nodejs-function.ts
// to the JSON settings of one environment.
declare module 'gateway:forwarder-settings' {
  import type { ForwarderSettings } from './settings';
  const settings: ForwarderSettings;
  export default settings;
}
