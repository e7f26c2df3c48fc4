/**
 * The stacks of one config: a state bootstrap stack per state bucket, then a gateway stack
 * per environment (and its tenant shard stacks, with `tenantShards`). `main.ts` (synth) and `npm run lint:infra` build exactly these.
 */
import type { App } from 'cdktf';
import type { GatewayConfig } from '../gateway-config/schema';
import { GatewayStack } from './gateway-stack';
import { StateStack, stateBucketTargets, stateStackId } from './state-stack';
import { shardStackId, TenantShardStack } from './tenant-shard-stack';
import { tenantsByShard } from '../gateway-config/tenant-shards';

export function addStacks(app: App, config: GatewayConfig): Array<StateStack | GatewayStack | TenantShardStack> {
  const stacks: Array<StateStack | GatewayStack | TenantShardStack> = [];
  // Bootstrap stacks first: one per state bucket, each keeping its own state locally.
  for (const target of stateBucketTargets(config)) {
    stacks.push(new StateStack(app, stateStackId(target), { target }));
  }
  for (const environment of config.environments) {
    const core = new GatewayStack(app, `gateway-${environment.name}`, { config, environment });
    stacks.push(core);
    // With tenantShards: N: the tenants' keys and own plans in N stacks next to the core stack,
    // which they read through its state: `cdktf deploy` applies the core first.
    tenantsByShard(config, environment).forEach((tenants, shard) => {
      const stack = new TenantShardStack(app, shardStackId(environment, shard), { config, environment, shard, tenants });
      stack.addDependency(core);
      stacks.push(stack);
    });
  }
  return stacks;
}
