/**
 * `cdktf` with this project's Terraform environment: the provider mirror's CLI config when
 * one is present (see scripts/lib/terraform.ts) and no calls home (CHECKPOINT_DISABLE).
 * Usage: `npm run cdktf -- <cdktf args>`, e.g. `npm run cdktf -- deploy gateway-dev`.
 */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { terraformEnv } from './lib/terraform';

const cli = path.join(__dirname, '..', 'node_modules', '.bin', 'cdktf');
const run = spawnSync(cli, process.argv.slice(2), { stdio: 'inherit', env: terraformEnv(process.env) });
process.exit(run.status ?? 1);
