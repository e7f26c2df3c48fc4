/**
 * The CI workflow templates, parsed with a YAML library: the jobs and their order, OIDC and
 * approval wiring, every `npm run X` names a script of package.json, and no step can print a
 * secret or splice untrusted pull request text into a shell.
 */
import { readFileSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import { deployableEnvironments } from '../../scripts/environments';
import { REPO_ROOT, exampleConfig } from '../helpers/config';

interface Step {
  readonly name?: string;
  readonly if?: string;
  readonly uses?: string;
  readonly run?: string;
  readonly with?: Record<string, unknown>;
  readonly env?: Record<string, string>;
  readonly shell?: string;
}
interface Job {
  readonly needs?: string | string[];
  readonly if?: string;
  readonly environment?: string;
  readonly permissions?: Record<string, string>;
  readonly strategy?: { readonly matrix?: Record<string, unknown>; readonly 'max-parallel'?: number; readonly 'fail-fast'?: boolean };
  readonly outputs?: Record<string, string>;
  readonly steps: Step[];
}
interface Workflow {
  readonly on: Record<string, unknown>;
  readonly permissions?: Record<string, string>;
  readonly jobs: Record<string, Job>;
}

const WORKFLOW_DIR = path.join(REPO_ROOT, '.github', 'workflows');
const load = (file: string) => parse(readFileSync(path.join(WORKFLOW_DIR, file), 'utf8')) as Workflow;
const review = load('review.yml');
const deploy = load('deploy.yml');
const all = readdirSync(WORKFLOW_DIR).map((f) => [f, load(f)] as const);
const scripts = Object.keys((JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts);
const steps = (w: Workflow) => Object.entries(w.jobs).flatMap(([job, j]) => j.steps.map((s) => ({ job, ...s })));
const step = (j: Job, uses: string) => j.steps.find((s) => s.uses?.startsWith(uses));

test('the workflow files are exactly review.yml and deploy.yml', () => {
  expect(all.map(([f]) => f).sort()).toEqual(['deploy.yml', 'review.yml']);
});

describe('review (pull requests)', () => {
  test('runs on pull requests to main, read-only by default', () => {
    expect(Object.keys(review.on)).toEqual(['pull_request']);
    expect(review.permissions).toEqual({ contents: 'read' });
  });

  test('tests, synth, tenant diff against the base branch, policy, plan per environment, then one comment', () => {
    expect(Object.keys(review.jobs)).toEqual(['test', 'review', 'plan', 'comment']);
    expect(review.jobs.test.steps.map((s) => s.run).filter(Boolean)).toEqual(["pip install 'moto[server]==5.2.1'", 'npm ci', 'npm test']);
    const runs = review.jobs.review.steps.map((s) => s.run ?? '').join('\n');
    expect(runs).toContain('npm run synth');
    expect(runs).toContain('npm run --silent report -- --base "origin/$BASE_REF"');
    expect(runs).toContain('npm run --silent lint:infra');
    expect(step(review.jobs.review, 'actions/checkout')!.with).toEqual({ 'fetch-depth': 0 });
    expect(review.jobs.plan.needs).toBe('review');
    expect(review.jobs.plan.strategy!.matrix).toEqual({ environment: '${{ fromJSON(needs.review.outputs.environments) }}' });
    // One plan run per environment covers the core and its tenant shards (no --only): every stack lands in the comment.
    const plan = review.jobs.plan.steps.find((s) => s.name === 'terraform plan')!.run!;
    expect(plan).toContain('npm run --silent plan -- "$ENVIRONMENT" --out plan-work > "plan-$ENVIRONMENT/plan-summary.md"');
    expect(plan).not.toContain('--only');
    expect(review.jobs.comment.needs).toEqual(['test', 'review', 'plan']);
    expect(review.jobs.comment.if).toMatch(/^always\(\) && /);
    expect(review.jobs.comment.permissions).toEqual({ contents: 'read', 'pull-requests': 'write' });
    expect(review.jobs.comment.steps.map((s) => s.run ?? '').join('\n')).toContain('npm run --silent pr-comment -- post --body comment.md');
  });

  test('the tenant diff and the policy findings run before synth and reach the comment when synth fails; synth stays the gate', () => {
    const reviewSteps = review.jobs.review.steps;
    const index = (text: string) => reviewSteps.findIndex((s) => (s.run ?? '').includes(text));
    const [diff, policy, synth] = [index('npm run --silent report -- --base'), index('npm run --silent lint:infra'), index('npm run synth')];
    expect([diff, policy, synth].every((i) => i >= 0)).toBe(true);
    expect(diff).toBeLessThan(synth);
    expect(policy).toBeLessThan(synth);
    // Neither records a failure as a step failure: the exit code goes to a file the comment job checks.
    expect(reviewSteps[diff].run).toContain('echo "$status" > review-out/tenant-diff.exit');
    expect(reviewSteps[policy].run).toContain('echo "$status" > review-out/policy.exit');
    expect(reviewSteps[policy].if).toBe('always()');
    // Synth is not softened: no `|| true`, no continue-on-error, no condition.
    expect(reviewSteps[synth]).toEqual({ name: 'Synthesize (fails on a policy error)', run: 'npm run synth', env: { CI: 'true' } });
    // The results are uploaded after a failed synth too, and the plan job needs the review job.
    const upload = step(review.jobs.review, 'actions/upload-artifact')!;
    expect(upload.if).toBe('always()');
    expect(upload.with).toEqual({ name: 'review-out', path: 'review-out/' });
    expect(reviewSteps.indexOf(upload)).toBe(reviewSteps.length - 1);
  });

  test('the comment job fails when a result file is missing or records an error (pr-comment check), after posting', () => {
    const commentSteps = review.jobs.comment.steps;
    const check = commentSteps.findIndex((s) => s.run?.trim() === 'npm run --silent pr-comment -- check --dir comment-flat');
    const post = commentSteps.findIndex((s) => (s.run ?? '').includes('pr-comment -- post'));
    expect(check).toBe(commentSteps.length - 1);
    expect(post).toBeLessThan(check);
    expect(commentSteps[check].if).toBeUndefined();
  });

  test('AWS through GitHub OIDC role assumption, Terraform Cloud through a token secret; only the plan job may ask for an ID token', () => {
    const aws = step(review.jobs.plan, 'aws-actions/configure-aws-credentials')!;
    expect(aws.with!['role-to-assume']).toBe('${{ fromJSON(vars.AWS_PLAN_ROLE_ARNS)[matrix.environment] }}');
    expect(aws.with).not.toHaveProperty('aws-access-key-id');
    expect(review.jobs.plan.permissions).toEqual({ contents: 'read', 'id-token': 'write' });
    expect(review.jobs.plan.steps.find((s) => s.name === 'terraform plan')!.env!.TF_TOKEN_app_terraform_io).toBe('${{ secrets.TF_API_TOKEN }}');
    for (const [name, job] of Object.entries(review.jobs)) if (name !== 'plan') expect([name, job.permissions?.['id-token']]).toEqual([name, undefined]);
  });

  test('the plan step passes the environment\'s Terraform Cloud workspace for tag-selected workspaces (TF_WORKSPACE from vars.TF_WORKSPACES)', () => {
    expect(review.jobs.plan.steps.find((s) => s.name === 'terraform plan')!.env).toEqual({
      ENVIRONMENT: '${{ matrix.environment }}',
      TF_TOKEN_app_terraform_io: '${{ secrets.TF_API_TOKEN }}',
      TF_WORKSPACE: "${{ fromJSON(vars.TF_WORKSPACES || '{}')[matrix.environment] }}",
    });
    // The inputs are documented where the workflows are adapted.
    expect(readFileSync(path.join(WORKFLOW_DIR, 'review.yml'), 'utf8')).toContain('#   vars.TF_WORKSPACES ');
    expect(readFileSync(path.join(WORKFLOW_DIR, 'deploy.yml'), 'utf8')).toContain('#     vars.TF_WORKSPACE ');
  });

  test('plans and comments only for branches of this repository (forks get no secrets)', () => {
    expect(review.jobs.plan.if).toContain('github.event.pull_request.head.repo.full_name == github.repository');
    expect(review.jobs.comment.if).toContain('github.event.pull_request.head.repo.full_name == github.repository');
  });
});

describe('deploy (main)', () => {
  test('runs on pushes to main; tests first; one environment at a time, each behind its GitHub environment', () => {
    expect(deploy.on).toEqual({ push: { branches: ['main'] }, workflow_dispatch: {} });
    expect(Object.keys(deploy.jobs)).toEqual(['test', 'deploy']);
    const job = deploy.jobs.deploy;
    expect(job.needs).toBe('test');
    expect(job.environment).toBe('${{ matrix.environment }}');
    expect(job.strategy).toEqual({ 'max-parallel': 1, 'fail-fast': true, matrix: { environment: '${{ fromJSON(needs.test.outputs.environments) }}' } });
    expect(job.permissions).toEqual({ contents: 'read', 'id-token': 'write' });
    expect(step(job, 'aws-actions/configure-aws-credentials')!.with!['role-to-assume']).toBe('${{ vars.AWS_DEPLOY_ROLE_ARN }}');
  });

  test('runs preflight before the plan, failing the job on a failed check (bash: pipefail)', () => {
    const names = deploy.jobs.deploy.steps.map((s) => s.name ?? '');
    const preflight = deploy.jobs.deploy.steps.find((s) => (s.run ?? '').includes('npm run --silent preflight -- --env "$ENVIRONMENT"'))!;
    expect(names.indexOf(preflight.name!)).toBeLessThan(names.indexOf('terraform plan (core)'));
    expect(preflight.shell).toBe('bash');
  });

  test('plans and applies the core stack, then plans the tenant shards against the applied core and applies them, each exactly the plan it summarized', () => {
    const terraformSteps = deploy.jobs.deploy.steps.filter((s) => s.name?.startsWith('terraform '));
    expect(terraformSteps.map((s) => [s.name, s.run?.trim()])).toEqual([
      ['terraform plan (core)', 'npm run --silent plan -- "$ENVIRONMENT" --only core --out deploy-work | tee -a "$GITHUB_STEP_SUMMARY"'],
      ['terraform apply (core, the plan above)', 'terraform -chdir="deploy-work/cdktf.out/stacks/gateway-$ENVIRONMENT" apply -input=false -no-color "$PWD/deploy-work/gateway-$ENVIRONMENT.tfplan"'],
      ['terraform plan (tenant shards, against the applied core)', 'npm run --silent plan -- "$ENVIRONMENT" --only shards --out deploy-work | tee -a "$GITHUB_STEP_SUMMARY"'],
      [
        'terraform apply (tenant shards, the plans above)',
        [
          'shopt -s nullglob',
          'for plan in deploy-work/gateway-"$ENVIRONMENT"-tenants-*.tfplan; do',
          '  stack="$(basename "$plan" .tfplan)"',
          '  terraform -chdir="deploy-work/cdktf.out/stacks/$stack" apply -input=false -no-color "$PWD/$plan"',
          'done',
        ].join('\n'),
      ],
    ]);
    // The plan files the apply steps read are the ones `npm run plan` writes: <out>/<stack id>.tfplan.
    expect(readFileSync(path.join(REPO_ROOT, 'scripts', 'plan.ts'), 'utf8')).toContain("const planFile = path.join(outDir, `${stack}.tfplan`);");
    // Piped into tee, a failed plan or apply must still fail its step: `shell: bash` is bash -eo pipefail on GitHub's runners.
    for (const s of terraformSteps.filter((t) => t.run!.includes('|') || t.run!.includes('for plan'))) expect([s.name, s.shell]).toEqual([s.name, 'bash']);
    // TF_WORKSPACE from the GitHub environment's variable: empty (unset for Terraform) except where the environment chooses its workspace by tags.
    for (const s of terraformSteps) expect([s.name, s.env]).toEqual([s.name, { ENVIRONMENT: '${{ matrix.environment }}', TF_TOKEN_app_terraform_io: '${{ secrets.TF_API_TOKEN }}', TF_WORKSPACE: '${{ vars.TF_WORKSPACE }}' }]);
  });
});

describe('every workflow', () => {
  test.each(all.map(([f, w]) => [f, w] as const))('%s: every `npm run X` names a script of package.json', (_file, workflow) => {
    const named = steps(workflow).flatMap((s) => [...(s.run ?? '').matchAll(/npm run (?:--silent )?([a-z:-]+)/g)].map((m) => m[1]));
    expect(named.length).toBeGreaterThan(0);
    expect(named.filter((n) => !scripts.includes(n))).toEqual([]);
  });

  test.each(all.map(([f, w]) => [f, w] as const))('%s: no step can print a secret', (_file, workflow) => {
    for (const s of steps(workflow)) {
      const run = s.run ?? '';
      const where = `${s.job}/${s.name ?? s.uses ?? run.split('\n')[0]}`;
      // Secrets reach commands only through env or with, never spliced into the script text.
      expect([where, run.includes('secrets.')]).toEqual([where, false]);
      expect([where, /\bset -x\b|\bset -o xtrace\b/.test(run)]).toEqual([where, false]);
      const secretVars = Object.entries(s.env ?? {}).filter(([, v]) => v.includes('secrets.')).map(([k]) => k);
      for (const name of secretVars) {
        // The variable is only handed to the tool: no echo, printf, tee or redirect of it.
        expect([where, name, new RegExp(`\\$\\{?${name}\\b`).test(run)]).toEqual([where, name, false]);
      }
    }
  });

  test.each(all.map(([f, w]) => [f, w] as const))('%s: untrusted pull request text never lands in a shell', (_file, workflow) => {
    for (const s of steps(workflow)) {
      expect([s.job, /\$\{\{\s*github\.(event\.pull_request\.(title|body|head\.ref)|head_ref|event\.comment)/.test(s.run ?? '')]).toEqual([s.job, false]);
    }
  });

  test.each(all.map(([f, w]) => [f, w] as const))('%s: every action is pinned to a major version', (_file, workflow) => {
    const uses = steps(workflow).map((s) => s.uses).filter((u): u is string => u !== undefined);
    expect(uses.filter((u) => !/^[\w.-]+\/[\w.-]+@v\d+$/.test(u))).toEqual([]);
  });
});

test('the job matrix is the config\'s environments without the emulator one', () => {
  expect(deployableEnvironments(exampleConfig())).toEqual(['dev', 'prod']);
});
