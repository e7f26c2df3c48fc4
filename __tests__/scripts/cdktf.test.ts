import { cdktfArgs } from '../../scripts/cdktf';

describe('cdktf wrapper arguments', () => {
  test.each(['deploy', 'diff', 'destroy', 'output'])('%s skips the registry-only provider lock when Terraform uses a mirror', (command) => {
    expect(cdktfArgs([command, 'gateway-dev'], true)).toEqual([command, 'gateway-dev', '--skip-provider-lock']);
  });

  test('synth never initialises Terraform, so it is passed through unchanged', () => {
    expect(cdktfArgs(['synth', '--hcl'], true)).toEqual(['synth', '--hcl']);
  });

  test('without a mirror, or when the flag is already there, nothing is added', () => {
    expect(cdktfArgs(['deploy', 'gateway-dev'], false)).toEqual(['deploy', 'gateway-dev']);
    expect(cdktfArgs(['deploy', '--skip-provider-lock'], true)).toEqual(['deploy', '--skip-provider-lock']);
  });
});
