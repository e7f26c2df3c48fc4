// Resolved at bundle time by the esbuild plugin in stacks/constructs/nodejs-function.ts
// to the JSON settings of one environment.
declare module 'gateway:authorizer-settings' {
  import type { AuthorizerSettings } from './settings';
  const settings: AuthorizerSettings;
  export default settings;
}
