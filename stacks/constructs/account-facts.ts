/**
 * The partition and account id of the stack's AWS account, read once per stack
 * (`data.aws_partition`, `data.aws_caller_identity`) and shared by every construct that builds ARNs.
 */
import { TerraformStack } from 'cdktf';
import { Construct, type IConstruct } from 'constructs';
import { DataAwsCallerIdentity } from '@cdktf/provider-aws/lib/data-aws-caller-identity';
import { DataAwsPartition } from '@cdktf/provider-aws/lib/data-aws-partition';

export class AccountFacts extends Construct {
  readonly partition: string;
  readonly accountId: string;

  /** The stack's one instance, created on first use. */
  static of(scope: IConstruct): AccountFacts {
    const stack = TerraformStack.of(scope);
    return (stack.node.tryFindChild('account-facts') as AccountFacts | undefined) ?? new AccountFacts(stack, 'account-facts');
  }

  private constructor(scope: Construct, id: string) {
    super(scope, id);
    this.partition = new DataAwsPartition(this, 'partition').partition;
    this.accountId = new DataAwsCallerIdentity(this, 'caller').accountId;
  }
}
