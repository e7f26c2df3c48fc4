import type { StackJson } from '../synthesized-stacks';

/** What ARNs in the deployer policy are built from: partition, region, account, the environment's names. */
export interface ArnContext {
  readonly partition: string;
  readonly region: string;
  readonly account: string;
  /** `bedrock-gw-<environment>`: prefix of the gateway's plans, keys, roles, function, topic, web ACL. */
  readonly namePrefix: string;
}

export function partitionOf(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}

/** A synthesized name as an IAM pattern: Terraform references (`${aws_x.y.id}`) become `*`. */
export function namePattern(name: unknown): string | undefined {
  if (typeof name !== 'string' || name === '') return undefined;
  const pattern = name.replace(/\$\{[^}]*\}/g, '*');
  // A name that is only a reference cannot scope anything: the caller must find the name elsewhere.
  return /^[*/]*$/.test(pattern) ? undefined : pattern;
}

/** `${aws_x.y.attr}` resolved to that resource's literal attribute in the same stack, when it has one. */
export function resolveReference(stack: StackJson | undefined, value: unknown): unknown {
  if (typeof value !== 'string' || !stack) return value;
  const ref = /^\$\{([a-z0-9_]+)\.([A-Za-z0-9_-]+)\.([a-z_]+)\}$/.exec(value);
  const target = ref ? stack.resource?.[ref[1]]?.[ref[2]]?.[ref[3]] : undefined;
  return typeof target === 'string' && !target.includes('${') ? target : value;
}

/** The distinct name patterns of one field across resources (references resolved through `stack`), sorted. */
export function namesOf(resources: ReadonlyArray<Record<string, unknown>>, field: string, stack?: StackJson): string[] {
  return [...new Set(resources.map((r) => namePattern(resolveReference(stack, r[field]))).filter((n): n is string => n !== undefined))].sort();
}
