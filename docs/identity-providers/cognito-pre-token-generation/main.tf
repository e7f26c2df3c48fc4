# A Cognito user pool whose access tokens carry the tenant claim bedrock-ai-gateway reads:
# the pre token generation trigger in index.js, wired with event version V3_0 (user sign-in
# and client-credentials M2M tokens; V2_0 would cover users only). Access token
# customization needs the Essentials or Plus feature plan.
#
# Package the trigger first:  zip trigger.zip index.js
# then: terraform apply -var 'tenant_by_client_id={"<m2m client id>":"acme"}' (after a first
# apply has created the M2M client, or with client ids you already have).

terraform {
  required_providers {
    # Tested with 5.100.0 (validated in this repository's test suite).
    aws = { source = "hashicorp/aws", version = ">= 5.100" }
  }
}

variable "name" {
  description = "Prefix of every resource name."
  type        = string
  default     = "bedrock-gateway"
}

variable "trigger_zip" {
  description = "Path of the zip holding index.js."
  type        = string
  default     = "trigger.zip"
}

variable "tenant_by_client_id" {
  description = "Gateway tenant of each machine-to-machine app client, by client id."
  type        = map(string)
  default     = {}
}

data "aws_region" "current" {}

resource "aws_iam_role" "trigger" {
  name = "${var.name}-pre-token-generation"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "lambda.amazonaws.com" } }]
  })
}

resource "aws_cloudwatch_log_group" "trigger" {
  name              = "/aws/lambda/${var.name}-pre-token-generation"
  retention_in_days = 30
}

resource "aws_iam_role_policy" "trigger_logs" {
  name = "logs"
  role = aws_iam_role.trigger.id
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = ["logs:CreateLogStream", "logs:PutLogEvents"], Resource = "${aws_cloudwatch_log_group.trigger.arn}:*" }]
  })
}

resource "aws_lambda_function" "trigger" {
  function_name    = "${var.name}-pre-token-generation"
  role             = aws_iam_role.trigger.arn
  runtime          = "nodejs22.x"
  handler          = "index.handler"
  filename         = var.trigger_zip
  source_code_hash = filebase64sha256(var.trigger_zip)
  timeout          = 5
  environment {
    variables = { TENANT_BY_CLIENT_ID = jsonencode(var.tenant_by_client_id) }
  }
  depends_on = [aws_cloudwatch_log_group.trigger, aws_iam_role_policy.trigger_logs]
}

resource "aws_cognito_user_pool" "this" {
  name           = var.name
  user_pool_tier = "ESSENTIALS"

  schema {
    name                = "tenant_id"
    attribute_data_type = "String"
    mutable             = true
    string_attribute_constraints {
      min_length = 2
      max_length = 63
    }
  }
  schema {
    name                = "tier"
    attribute_data_type = "String"
    mutable             = true
    string_attribute_constraints {
      min_length = 1
      max_length = 32
    }
  }

  lambda_config {
    pre_token_generation_config {
      lambda_arn     = aws_lambda_function.trigger.arn
      lambda_version = "V3_0"
    }
  }
}

resource "aws_lambda_permission" "cognito" {
  statement_id  = "cognito-pre-token-generation"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.trigger.function_name
  principal     = "cognito-idp.amazonaws.com"
  source_arn    = aws_cognito_user_pool.this.arn
}

# Users sign in through this client. They may read their tenant but never write it.
resource "aws_cognito_user_pool_client" "users" {
  name                = "${var.name}-users"
  user_pool_id        = aws_cognito_user_pool.this.id
  explicit_auth_flows = ["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
  read_attributes     = ["email", "custom:tenant_id", "custom:tier"]
  write_attributes    = ["email"]
}

# Machine-to-machine callers: client credentials need a domain, a resource server scope and a secret.
resource "aws_cognito_user_pool_domain" "this" {
  domain       = var.name
  user_pool_id = aws_cognito_user_pool.this.id
}

resource "aws_cognito_resource_server" "gateway" {
  user_pool_id = aws_cognito_user_pool.this.id
  identifier   = "bedrock-gateway"
  name         = "bedrock-ai-gateway"
  scope {
    scope_name        = "invoke"
    scope_description = "Call models through the gateway"
  }
}

resource "aws_cognito_user_pool_client" "machines" {
  name                                 = "${var.name}-machines"
  user_pool_id                         = aws_cognito_user_pool.this.id
  generate_secret                      = true
  allowed_oauth_flows_user_pool_client = true
  allowed_oauth_flows                  = ["client_credentials"]
  allowed_oauth_scopes                 = aws_cognito_resource_server.gateway.scope_identifiers
}

# The values config/identity-providers.ts needs.
output "issuer" {
  description = "identityProviders[].issuer"
  value       = "https://cognito-idp.${data.aws_region.current.name}.amazonaws.com/${aws_cognito_user_pool.this.id}"
}

output "jwks_uri" {
  description = "identityProviders[].jwksUri"
  value       = "https://cognito-idp.${data.aws_region.current.name}.amazonaws.com/${aws_cognito_user_pool.this.id}/.well-known/jwks.json"
}

output "audiences" {
  description = "identityProviders[].audiences: the app client ids whose access tokens the gateway accepts"
  value       = [aws_cognito_user_pool_client.users.id, aws_cognito_user_pool_client.machines.id]
}
