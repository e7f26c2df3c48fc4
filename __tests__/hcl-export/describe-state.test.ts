/**
 * The line of an export's README that says where the state is, for each backend shape a stack
 * can have (the export itself is tested end to end, with Terraform, in export.test.ts).
 */
import { describeState } from '../../hcl-export/export';

describe('Terraform Cloud', () => {
  test('a named workspace in a project, on a Terraform Enterprise host', () => {
    expect(
      describeState({ type: 'cloud', settings: { organization: 'example-corp', hostname: 'tfe.example.com', workspaces: { name: 'gateway-prod', project: 'ai-platform' } } }),
    ).toBe(
      'Terraform Cloud organization `example-corp` on `tfe.example.com`, workspace `gateway-prod` in project `ai-platform`: the same workspace the CDKTF stack uses; nothing to migrate.',
    );
  });

  test('tagged workspaces in a project: the tags, never "workspace `undefined`"', () => {
    expect(describeState({ type: 'cloud', settings: { organization: 'example-corp', workspaces: { tags: ['bedrock-gateway', 'staging'], project: 'ai-platform' } } })).toBe(
      'Terraform Cloud organization `example-corp`, the workspaces tagged `bedrock-gateway`, `staging` in project `ai-platform` (pick one with `terraform workspace select`): the same workspaces the CDKTF stack uses; nothing to migrate.',
    );
  });

  test('without a project: the default project', () => {
    expect(describeState({ type: 'cloud', settings: { organization: 'example-corp', workspaces: { name: 'gateway-dev' } } })).toBe(
      "Terraform Cloud organization `example-corp`, workspace `gateway-dev` in the organization's default project: the same workspace the CDKTF stack uses; nothing to migrate.",
    );
  });
});

test('s3 and local backends', () => {
  expect(describeState({ type: 's3', settings: { bucket: 'b', key: 'k/dev/terraform.tfstate', region: 'eu-west-1' } })).toBe(
    'S3 bucket `b`, key `k/dev/terraform.tfstate` (region eu-west-1, native lock file): the same state object the CDKTF stack uses; nothing to migrate.',
  );
  expect(describeState({ type: 'local', settings: {} }, '../state/terraform.dev.tfstate')).toBe(
    'a local file, `../state/terraform.dev.tfstate` from this directory: the file the CDKTF stack wrote. Consider moving it to a remote backend (`terraform init -migrate-state`).',
  );
});
