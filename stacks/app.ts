/**
 * The stacks of one config: a state bootstrap stack per state bucket, then a gateway stack
 * per environment. `main.ts` (synth) and `npm run lint:infra` build exactly these.
 */
import type { App } from 'cdktf';
import type { GatewayConfig } from '../gateway-config/schema';
import { GatewayStack } from './gateway-stack';
import { StateStack, stateBucketTargets, stateStackId } from './state-stack';

export function addStacks(app: App, config: GatewayConfig): Array<StateStack | GatewayStack> {
  const stacks: Array<StateStack | GatewayStack> = [];
  // Bootstrap stacks first: one per state bucket, each keeping its own state locally.
  for (const target of stateBucketTargets(config)) {
    stacks.push(new StateStack(app, stateStackId(target), { target }));
  }
  for (const environment of config.environments) {
    stacks.push(new GatewayStack(app, `gateway-${environment.name}`, { config, environment }));
  }
  return stacks;
}
