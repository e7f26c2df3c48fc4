/**
 * The least-privilege IAM policy a deploying role needs for one environment: the actions of
 * every resource and data source type its stacks synthesize (`resource-permissions.ts`: the
 * gateway stack, its tenant shard stacks with `tenantShards`, the state bucket's bootstrap stack),
 * plus the state backend (each stack's S3 state object and lockfile, the bucket's KMS key).
 */
import { resourceNamePrefix } from '../../gateway-config/derive';
import { stateKey } from '../../stacks/constructs/provider-and-backend';
import { dataSourceTypes, gatewayStacks, resourcesOfType, resourceTypes, type EnvironmentStacks, type StackJson } from '../synthesized-stacks';
import { partitionOf, type ArnContext } from './arn-context';
import { DATA_SOURCE_PERMISSIONS, PREFLIGHT_PERMISSIONS, RESOURCE_PERMISSIONS, type ResourcePermissions, type Statement } from './resource-permissions';

export interface PolicyDocument {
  readonly Version: '2012-10-17';
  readonly Statement: Statement[];
}

export interface DeployerPolicy {
  readonly policy: PolicyDocument;
  /** Resource and data source types synthesized for the environment, sorted. */
  readonly types: string[];
  /** Types without a mapping: the policy is incomplete while this is non-empty. */
  readonly unmapped: string[];
}

export interface DeployerPolicyOptions {
  readonly account: string;
  /** Include the bootstrap stack (state bucket). @default true */
  readonly includeBootstrap?: boolean;
  /** Include what `npm run preflight` reads. @default true */
  readonly includePreflight?: boolean;
  /**
   * Only what `terraform plan` needs: reads of every resource type, the state object, and the
   * lockfile (a plan takes the lock). For the review workflow's plan role. @default false
   */
  readonly planOnly?: boolean;
}

/** Actions that only read: what a plan (refresh) calls. */
export function isReadAction(action: string): boolean {
  const [service, name] = action.split(':');
  if (service === 'apigateway') return name === 'GET';
  return /^(Get|List|Describe|Head)/.test(name) && name !== 'GetChange';
}

/**
 * IAM character limits, whitespace not counted (IAM User Guide, "IAM and AWS STS quotas", IAM and
 * STS character limits: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html):
 * a managed policy holds at most 6,144 characters; a role's inline policies hold 10,240 together
 * (the aggregate of all of them); a role may have 10 managed policies attached by default (20 on request).
 */
export const MANAGED_POLICY_MAX_CHARS = 6144;
export const INLINE_ROLE_POLICY_MAX_CHARS = 10_240;

/**
 * How a policy of `size` characters can be attached to the deploying role, printed by the command
 * when it does not fit one managed policy; undefined when it does.
 */
export function attachmentAdvice(size: number): string | undefined {
  if (size <= MANAGED_POLICY_MAX_CHARS) return undefined;
  if (size <= INLINE_ROLE_POLICY_MAX_CHARS) {
    return `note: ${size} characters is above the ${MANAGED_POLICY_MAX_CHARS} a managed policy may hold: attach it as the role's only inline policy (a role's inline policies hold ${INLINE_ROLE_POLICY_MAX_CHARS} characters together), or print managed-policy-sized documents with --split`;
  }
  return `note: ${size} characters is above the ${MANAGED_POLICY_MAX_CHARS} a managed policy may hold and the ${INLINE_ROLE_POLICY_MAX_CHARS} a role's inline policies hold together, so it cannot be attached as printed: run again with --split and attach each printed document as a customer managed policy of the role (up to 10 per role by default)`;
}

export class UnmappedResourceTypesError extends Error {
  constructor(readonly types: readonly string[]) {
    super(`no IAM mapping for ${types.join(', ')}: add ${types.length === 1 ? 'it' : 'them'} to deploy-tools/deployer-policy/resource-permissions.ts (actions from the Service Authorization Reference)`);
  }
}

function statementsFor(permissions: ResourcePermissions, ctx: ArnContext, synthesized: ReadonlyArray<Record<string, unknown>>, stack: StackJson): Statement[] {
  const out: Statement[] = [];
  if (permissions.actions.length > 0) {
    out.push({ Effect: 'Allow', Action: [...permissions.actions], Resource: permissions.resources!(ctx, synthesized, stack), ...(permissions.condition ? { Condition: permissions.condition } : {}) });
  }
  if (permissions.unscoped?.length) out.push({ Effect: 'Allow', Action: [...permissions.unscoped], Resource: ['*'], ...(permissions.unscopedCondition ? { Condition: permissions.unscopedCondition } : {}) });
  out.push(...(permissions.extra?.(ctx, synthesized, stack) ?? []));
  return out;
}

function backendStatements(stacks: EnvironmentStacks, ctx: ArnContext): Statement[] {
  const state = stacks.environment.state;
  if (state.backend !== 's3') return [];
  // The core stack's state and, with tenantShards, each shard's own (`<prefix>/<env>/tenants-<i>/terraform.tfstate`).
  // A shard also reads the core's state (terraform_remote_state): the StateObject grant on the core key covers it.
  const keys = [stateKey(state.keyPrefix, stacks.environment.name), ...stacks.shards.map((s) => stateKey(state.keyPrefix, stacks.environment.name, s.part))];
  const bucket = `arn:${ctx.partition}:s3:::${state.bucket}`;
  // S3 backend permissions (Terraform docs, "Backend Type: s3", Permissions Required): ListBucket on
  // the bucket, Get/PutObject on the key, and Get/Put/DeleteObject on `<key>.tflock` with use_lockfile.
  const statements: Statement[] = [
    { Sid: 'StateList', Effect: 'Allow', Action: ['s3:ListBucket'], Resource: [bucket], Condition: { StringLike: { 's3:prefix': keys.flatMap((key) => [key, `${key}.tflock`]) } } },
    { Sid: 'StateObject', Effect: 'Allow', Action: ['s3:GetObject', 's3:PutObject'], Resource: keys.map((key) => `${bucket}/${key}`) },
    { Sid: 'StateLock', Effect: 'Allow', Action: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'], Resource: keys.map((key) => `${bucket}/${key}.tflock`) },
  ];
  if (state.kmsKeyId) {
    const keyArn = state.kmsKeyId.startsWith('arn:') ? state.kmsKeyId : `arn:${ctx.partition}:kms:${state.region ?? stacks.environment.region}:${ctx.account}:key/${state.kmsKeyId}`;
    statements.push({ Sid: 'StateKey', Effect: 'Allow', Action: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey'], Resource: [keyArn] });
  }
  return statements;
}

type Group = { sid?: string; actions: string[]; resources: string[]; condition?: Statement['Condition'] };

function groupBy(groups: readonly Group[], key: (g: Group) => string, combine: (into: Group, g: Group) => void): Group[] {
  const out = new Map<string, Group>();
  for (const g of groups) {
    const k = key(g);
    const existing = out.get(k);
    if (existing) combine(existing, g);
    else out.set(k, { ...g, actions: [...g.actions], resources: [...g.resources] });
  }
  return [...out.values()].map((g) => ({ ...g, actions: [...new Set(g.actions)].sort(), resources: [...new Set(g.resources)].sort() }));
}

/**
 * Merges statements without widening any grant: first those with the same resources and
 * condition (union of actions), then those with the same actions and condition (union of
 * resources). Everything sorted: the same stacks print the same policy.
 */
function merge(statements: readonly Statement[]): Statement[] {
  const condition = (g: Group) => JSON.stringify([g.condition ?? null, g.sid ?? null]);
  let groups: Group[] = statements.map((s) => ({ sid: s.Sid, actions: s.Action, resources: s.Resource, condition: s.Condition }));
  groups = groupBy(groups.map((g) => ({ ...g, resources: [...new Set(g.resources)].sort() })), (g) => JSON.stringify(g.resources) + condition(g), (into, g) => into.actions.push(...g.actions));
  groups = groupBy(groups, (g) => JSON.stringify(g.actions) + condition(g), (into, g) => into.resources.push(...g.resources));
  groups.sort((a, b) => (a.sid ?? '~').localeCompare(b.sid ?? '~') || a.actions[0].localeCompare(b.actions[0]) || a.resources[0].localeCompare(b.resources[0]));
  const used = new Map<string, number>();
  return groups.map((g) => {
    const base = g.sid ?? [...new Set(g.actions.map((a) => a.split(':')[0]))].map((p) => p.replace(/[^A-Za-z0-9]/g, '')).map((p) => p[0].toUpperCase() + p.slice(1)).join('');
    const n = (used.get(base) ?? 0) + 1;
    used.set(base, n);
    return { Sid: n === 1 ? base : `${base}${n}`, Effect: 'Allow' as const, Action: g.actions, Resource: g.resources, ...(g.condition ? { Condition: g.condition } : {}) };
  });
}

export function buildDeployerPolicy(stacks: EnvironmentStacks, options: DeployerPolicyOptions): DeployerPolicy {
  const environment = stacks.environment;
  const ctx: ArnContext = { partition: partitionOf(environment.region), region: environment.region, account: options.account, namePrefix: resourceNamePrefix(environment) };
  const jsons: StackJson[] = [...gatewayStacks(stacks), ...(options.includeBootstrap !== false && stacks.state ? [stacks.state.json] : [])];
  const statements: Statement[] = [];
  const types = new Set<string>();
  const unmapped = new Set<string>();
  for (const json of jsons) {
    // The state bucket's region may differ from the environment's.
    const stackCtx = json === stacks.state?.json && environment.state.backend === 's3' ? { ...ctx, region: environment.state.region ?? environment.region } : ctx;
    for (const type of resourceTypes(json)) {
      types.add(type);
      const permissions = RESOURCE_PERMISSIONS[type];
      if (!permissions) unmapped.add(type);
      else statements.push(...statementsFor(permissions, stackCtx, resourcesOfType(json, type), json));
    }
    for (const type of dataSourceTypes(json)) {
      types.add(`data.${type}`);
      const permissions = DATA_SOURCE_PERMISSIONS[type];
      if (!permissions) unmapped.add(`data.${type}`);
      else statements.push(...statementsFor(permissions, stackCtx, Object.values(json.data?.[type] ?? {}), json));
    }
  }
  statements.push(...backendStatements(stacks, ctx).map((s) => (options.planOnly && s.Sid === 'StateObject' ? { ...s, Action: ['s3:GetObject'] } : s)));
  if (options.includePreflight !== false) {
    statements.push(...statementsFor(PREFLIGHT_PERMISSIONS, ctx, [], stacks.gateway));
    // Preflight's state bucket checks (HeadBucket is authorized by s3:ListBucket).
    const state = environment.state;
    if (state.backend === 's3') {
      statements.push({ Sid: 'StateBucketChecks', Effect: 'Allow', Action: ['s3:GetBucketVersioning', 's3:GetEncryptionConfiguration', 's3:ListBucket'], Resource: [`arn:${ctx.partition}:s3:::${state.bucket}`] });
    }
  }
  const kept = options.planOnly ? statements.map((s) => (s.Sid === 'StateLock' ? s : { ...s, Action: s.Action.filter(isReadAction) })).filter((s) => s.Action.length > 0) : statements;
  return { policy: { Version: '2012-10-17', Statement: merge(kept) }, types: [...types].sort(), unmapped: [...unmapped].sort() };
}

/** Characters IAM counts against the managed policy size quota (whitespace excluded). */
export function policySize(policy: PolicyDocument): number {
  return JSON.stringify(policy).replace(/\s/g, '').length;
}

/**
 * Splits a policy into documents that each fit a managed policy (statements kept whole, in
 * order). A role may have 10 managed policies attached by default (IAM quotas).
 * @throws Error when one statement alone is larger than `max`.
 */
export function splitPolicy(policy: PolicyDocument, max: number = MANAGED_POLICY_MAX_CHARS): PolicyDocument[] {
  const documents: PolicyDocument[] = [];
  let current: Statement[] = [];
  for (const statement of policy.Statement) {
    const candidate: PolicyDocument = { Version: '2012-10-17', Statement: [...current, statement] };
    if (policySize(candidate) <= max) {
      current.push(statement);
      continue;
    }
    if (current.length === 0) throw new Error(`statement ${statement.Sid} alone is ${policySize(candidate)} characters, above ${max}`);
    documents.push({ Version: '2012-10-17', Statement: current });
    current = [statement];
  }
  if (current.length > 0) documents.push({ Version: '2012-10-17', Statement: current });
  return documents;
}
