#!/usr/bin/env bash
# Smoke-tests the API just deployed to environment $1 (a pipeline stage's test_commands).
# The token comes from a Cognito app client with the client-credentials grant, whose settings sit
# in the Secrets Manager secret <app>/<env>/smoke: {"token_url","client_id","client_secret","scope"}.
set -euo pipefail
env_name="$1"
app_name="rag-api"

# Over HTTPS, by the alias the stage's certificate covers (the api manifest's per-environment
# http.alias); the load balancer's own DNS name is not on the certificate.
domain=$(ruby -ryaml -e 'puts YAML.load_file(ARGV[0]).dig("environments", ARGV[1], "http", "alias")' \
  copilot/api/manifest.yml "$env_name")
base_url="https://${domain:?no http.alias for $env_name in copilot/api/manifest.yml}"
settings=$(aws secretsmanager get-secret-value --secret-id "${app_name}/${env_name}/smoke" \
  --query SecretString --output text)
token=$(curl -fsS -X POST "$(jq -r .token_url <<<"$settings")" \
  -u "$(jq -r .client_id <<<"$settings"):$(jq -r .client_secret <<<"$settings")" \
  -d grant_type=client_credentials --data-urlencode "scope=$(jq -r .scope <<<"$settings")" |
  jq -r .access_token)

npm ci --no-audit --no-fund
npm run smoke -- --base-url "$base_url" --token "$token"
