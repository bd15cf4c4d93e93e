#!/usr/bin/env bash
# Smoke-tests the API just deployed to environment $1 (a pipeline stage's test_commands).
# The token comes from a Cognito app client with the client-credentials grant, whose settings sit
# in the Secrets Manager secret <app>/<env>/smoke: {"token_url","client_id","client_secret","scope"}.
set -euo pipefail
env_name="$1"
app_name="rag-api"

base_url="http://$(aws cloudformation describe-stacks --stack-name "${app_name}-${env_name}" \
  --query "Stacks[0].Outputs[?OutputKey=='PublicLoadBalancerDNSName'].OutputValue" --output text)"
settings=$(aws secretsmanager get-secret-value --secret-id "${app_name}/${env_name}/smoke" \
  --query SecretString --output text)
token=$(curl -fsS -X POST "$(jq -r .token_url <<<"$settings")" \
  -u "$(jq -r .client_id <<<"$settings"):$(jq -r .client_secret <<<"$settings")" \
  -d grant_type=client_credentials --data-urlencode "scope=$(jq -r .scope <<<"$settings")" |
  jq -r .access_token)

npm ci --no-audit --no-fund
npm run smoke -- --base-url "$base_url" --token "$token"
