/**
 * The API Gateway account setting: the IAM role API Gateway uses to write execution and access
 * logs. It is ONE setting per account and region, shared by every REST API there: creating it
 * here takes it over for all of them (opt-in: `observability.apiGatewayAccount`). Without it (set
 * here or elsewhere), a stage with logging enabled fails to deploy on AWS.
 *
 * The role may write logs in this account and region only (the managed policy
 * AmazonAPIGatewayPushToCloudWatchLogs grants the same actions on every resource); it cannot be
 * narrower, because every API in the region logs through it.
 */
import { Construct } from 'constructs';
import { ApiGatewayAccount } from '@cdktf/provider-aws/lib/api-gateway-account';
import { AccountFacts } from './account-facts';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';

export interface ApiGatewayCloudWatchRoleProps {
  readonly namePrefix: string;
  readonly region: string;
  /**
   * Clear the account setting on destroy instead of leaving it pointing at a deleted role.
   * (Provider 5.x flag; 6.x always resets.) Off on the emulator, whose reset never completes.
   * @default true
   */
  readonly resetOnDelete?: boolean;
}

export class ApiGatewayCloudWatchRole extends Construct {
  readonly role: IamRole;
  readonly account: ApiGatewayAccount;

  constructor(scope: Construct, id: string, props: ApiGatewayCloudWatchRoleProps) {
    super(scope, id);
    const { partition, accountId } = AccountFacts.of(this);
    this.role = new IamRole(this, 'role', {
      name: `${props.namePrefix}-apigateway-cloudwatch`,
      description: 'Account-wide: API Gateway writes execution and access logs of every REST API in this region with it',
      assumeRolePolicy: JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: { Service: 'apigateway.amazonaws.com' }, Action: 'sts:AssumeRole' }],
      }),
    });
    const policy = new IamRolePolicy(this, 'logs-policy', {
      name: 'write-api-gateway-logs',
      role: this.role.name,
      policy: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Action: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:DescribeLogGroups', 'logs:DescribeLogStreams', 'logs:PutLogEvents', 'logs:GetLogEvents', 'logs:FilterLogEvents'],
            Resource: [`arn:${partition}:logs:${props.region}:${accountId}:log-group:*`, `arn:${partition}:logs:${props.region}:${accountId}:log-group:*:log-stream:*`],
          },
        ],
      }),
    });
    this.account = new ApiGatewayAccount(this, 'account', { cloudwatchRoleArn: this.role.arn, resetOnDelete: props.resetOnDelete ?? true, dependsOn: [policy] });
  }
}
