#!/usr/bin/env bash
# Deploys PixelPipe to Cloud Run, after setup.sh: builds the image with Cloud Build from
# infra/Dockerfile (unless that image exists, or IMAGE names one), deploys one service per stage
# of infra/pipeline.yaml (`--command` picks its binary), gives each service the URLs of the
# others, and wires the callers: run.invoker for the invoker and Eventarc accounts, the OIDC push
# subscription to populate (with its dead-letter topic), and the Eventarc trigger on the uploads
# bucket. The four stages take no unauthenticated calls (IAM only); the api service is public,
# because it verifies each caller itself: users' Firebase ID tokens (FIREBASE_API_KEY, the
# project's Web API key, is handed to clients by GET /config.json), and Google-signed tokens of
# the service accounts in API_SERVICE_ACCOUNTS (env file, comma-separated emails) for machines.
#
# Idempotent: a service is redeployed only when its settings changed (a hash of them is kept in
# the service's `pixelpipe-config` label); subscriptions, triggers and grants are looked up
# before they are created. A second run changes nothing and exits 0.
#
# The teardown stage gets WEBHOOK_SECRET from Secret Manager (`--set-secrets`, the secret
# setup.sh made), never as a plain variable: a WEBHOOK_SECRET in the pipeline file is not deployed.
#
# Each service's environment: the pipeline's shared `env:` and its own, GOOGLE_CLOUD_PROJECT,
# CLOUD_TASKS_LOCATION, TASKS_SERVICE_ACCOUNT (the invoker account tasks carry OIDC tokens
# for), PIXELPIPE_<SERVICE>_URL of every other service, REQUEST_TIMEOUT just under the Cloud Run
# timeout, LOG_FORMAT=json. The local-only loopback allow-lists of the pipeline file
# (DOWNLOAD_ALLOW_NETWORKS, WEBHOOK_ALLOW_NETWORKS) are never deployed.
#
# Cloud Run settings per stage come from the env file, e.g. PROCESS_MEMORY=4Gi; the defaults:
#   CONCURRENCY 8 (process 4, api 40), MEMORY 512Mi (process 2Gi, api 1Gi), CPU 1 (process 2),
#   TIMEOUT 600 s (populate: the subscription's ack deadline; process 300 s), MAX_INSTANCES 20.
set -euo pipefail
# shellcheck source=infra/lib/common.sh
source "$(dirname "$0")/lib/common.sh"
parse_args "$@"
((${#EXTRA_ARGS[@]} == 0)) || { usage >&2; exit 2; }
load_settings

# A Cloud Run setting of a stage: ${STAGE}_${KEY} from the env file, else the default.
run_setting() {
  local name
  name="$(tr '[:lower:]-' '[:upper:]_' <<<"$1")_$2"
  echo "${!name:-$3}"
}

# The push subscription's ack deadline when SERVICE is a push target: how long Pub/Sub waits.
ack_deadline_of() {
  local index
  for index in "${!SUB_NAMES[@]}"; do
    if [ "${SUB_SERVICES[$index]}" = "$1" ] && [ -n "${SUB_ACK_DEADLINES[$index]}" ]; then
      echo "${SUB_ACK_DEADLINES[$index]}"
      return
    fi
  done
  echo 600
}

project_number=PROJECT_NUMBER
$DRY_RUN || project_number=$(look projects describe "$PROJECT_ID" --format='value(projectNumber)') \
  || die "cannot read project $PROJECT_ID (gcloud auth login? did setup.sh run?)"

if ! $DRY_RUN && [ -n "${SERVICE_BINARY[$WEBHOOK_STAGE]:-}" ] && absent secrets describe "$WEBHOOK_SECRET_NAME"; then
  die "no secret $WEBHOOK_SECRET_NAME for the webhook signature: run infra/setup.sh first (it creates the secret once)"
fi

echo "==> image"
if [ -z "${IMAGE:-}" ]; then
  # Tagged with the commit, so an unchanged tree is not built twice; uncommitted changes add a
  # hash of the diff (untracked files are not part of it: commit or `git add` them).
  tag=$(git -C "$REPO_DIR" rev-parse --short=12 HEAD 2>/dev/null || echo latest)
  if [ -n "$(git -C "$REPO_DIR" status --porcelain --untracked-files=no 2>/dev/null)" ]; then
    tag="$tag-dirty-$(git -C "$REPO_DIR" diff HEAD | sha256sum | cut -c1-8)"
  fi
  IMAGE="$REGION-docker.pkg.dev/$PROJECT_ID/$REPOSITORY/pixelpipe:$tag"
  if absent artifacts docker images describe "$IMAGE"; then
    # Cloud Build runs infra/Dockerfile (no Docker engine needed here); .gitignore keeps .build/ out.
    change builds submit "$REPO_DIR" --config="$INFRA_DIR/cloudbuild.yaml" --substitutions=_IMAGE="$IMAGE"
  fi
fi
note "image $IMAGE"

# Service URLs: the deployed ones, else Cloud Run's deterministic URL, which the service will
# answer on too once it exists.
declare -A URL
read_urls() {
  local service url
  for service in "${SERVICES[@]}"; do
    url=""
    $DRY_RUN || url=$(look run services describe "$service" --region="$REGION" --format='value(status.url)') || url=""
    URL[$service]=${url:-https://$service-$project_number.$REGION.run.app}
  done
}

# The environment of SERVICE as NAME=VALUE lines.
service_env() {
  local service=$1 other timeout=$2
  grep -v '^WEBHOOK_SECRET=' <<<"${SERVICE_ENV[$service]}" || true
  echo "GOOGLE_CLOUD_PROJECT=$PROJECT_ID"
  echo "CLOUD_TASKS_LOCATION=$REGION"
  echo "TASKS_SERVICE_ACCOUNT=$INVOKER_SA"
  echo "LOG_FORMAT=json"
  # The stage's own deadline ends an invocation cleanly (with a 503 to retry) before Cloud
  # Run cuts the request.
  echo "REQUEST_TIMEOUT=$((timeout > 30 ? timeout - 10 : timeout))"
  for other in "${SERVICES[@]}"; do
    [ "$other" = "$service" ] || echo "PIXELPIPE_$(tr '[:lower:]-' '[:upper:]_' <<<"$other")_URL=${URL[$other]}"
  done
  if is_user_service "$service"; then
    [ -z "${FIREBASE_API_KEY:-}" ] || echo "FIREBASE_API_KEY=$FIREBASE_API_KEY"
    if [ -n "${API_SERVICE_ACCOUNTS:-}" ]; then
      echo "API_SERVICE_ACCOUNTS=$API_SERVICE_ACCOUNTS"
      echo "API_AUDIENCE=${URL[$service]}"
    fi
  fi
}

# The lines joined into one --set-env-vars value, with gcloud's ^DELIM^ escape when a value
# holds a comma.
env_value() {
  local lines=$1 delimiter
  for delimiter in ',' '@' '|' '~' '#' '%' ';'; do
    [[ $lines == *"$delimiter"* ]] && continue
    if [ "$delimiter" = , ]; then echo "${lines//$'\n'/,}"; else echo "^$delimiter^${lines//$'\n'/$delimiter}"; fi
    return
  done
  die "no delimiter left for the environment: $lines"
}

# Who may reach SERVICE: everyone for the api (it verifies tokens itself), IAM only for the stages.
ingress_flag() {
  if is_user_service "$1"; then echo --allow-unauthenticated; else echo --no-allow-unauthenticated; fi
}

# DEPLOY_ARGS: the `gcloud run deploy SERVICE` arguments; FINGERPRINT: their hash.
deploy_args() {
  local service=$1 default_timeout concurrency=8 memory=512Mi cpu=1 timeout
  default_timeout=$(ack_deadline_of "$service")
  case $service in
    process) concurrency=4; memory=2Gi; cpu=2; default_timeout=300 ;;
    # Waits on Storage and Firestore, holding one upload chunk per request.
    api) concurrency=40; memory=1Gi ;;
  esac
  timeout=$(run_setting "$service" TIMEOUT "$default_timeout")
  DEPLOY_ARGS=(
    --image="$IMAGE" --command="/app/bin/${SERVICE_BINARY[$service]}" --region="$REGION"
    --service-account="$(stage_sa "$service")" "$(ingress_flag "$service")"
    --concurrency="$(run_setting "$service" CONCURRENCY "$concurrency")"
    --memory="$(run_setting "$service" MEMORY "$memory")" --cpu="$(run_setting "$service" CPU "$cpu")"
    --timeout="$timeout" --max-instances="$(run_setting "$service" MAX_INSTANCES 20)"
    --set-env-vars="$(env_value "$(service_env "$service" "$timeout")")"
  )
  if [ "$service" = "$WEBHOOK_STAGE" ]; then DEPLOY_ARGS+=(--set-secrets="WEBHOOK_SECRET=$WEBHOOK_SECRET_NAME:latest"); fi
  FINGERPRINT=$(printf '%s\n' "$service" "${DEPLOY_ARGS[@]}" | sha256sum | cut -c1-16)
}

deployed_fingerprint() {
  $DRY_RUN && return 0
  look run services describe "$1" --region="$REGION" --format='value(metadata.labels.pixelpipe-config)' || true
}

if ((${#DROPPED_ENV[@]})); then note "not deployed (local-only settings): ${DROPPED_ENV[*]}"; fi

echo "==> Cloud Run services"
read_urls
declare -A DEPLOYED
for service in "${SERVICES[@]}"; do
  deploy_args "$service"
  DEPLOYED[$service]=$(deployed_fingerprint "$service")
  if [ "${DEPLOYED[$service]}" != "$FINGERPRINT" ]; then
    change run deploy "$service" "${DEPLOY_ARGS[@]}" --labels=pixelpipe-config="$FINGERPRINT"
    DEPLOYED[$service]=$FINGERPRINT
  fi
done
# Now that every service exists, its real URL is known: a service that was given another
# service's deterministic URL gets the one Cloud Run reports.
read_urls
for service in "${SERVICES[@]}"; do
  deploy_args "$service"
  if [ "${DEPLOYED[$service]}" != "$FINGERPRINT" ]; then
    urls=()
    for other in "${SERVICES[@]}"; do
      [ "$other" = "$service" ] || urls+=("PIXELPIPE_$(tr '[:lower:]-' '[:upper:]_' <<<"$other")_URL=${URL[$other]}")
    done
    if is_user_service "$service" && [ -n "${API_SERVICE_ACCOUNTS:-}" ]; then urls+=("API_AUDIENCE=${URL[$service]}"); fi
    change run services update "$service" --region="$REGION" \
      --update-env-vars="$(env_value "$(printf '%s\n' "${urls[@]}")")" --update-labels=pixelpipe-config="$FINGERPRINT"
  fi
done

echo "==> who may call the services"
for service in "${SERVICES[@]}"; do
  if is_user_service "$service"; then
    # Public (--allow-unauthenticated): the service verifies every caller's token itself.
    [ -n "${FIREBASE_API_KEY:-}" ] || note "no FIREBASE_API_KEY in the env file: the console and the CLI cannot sign users in to $service"
  elif is_trigger_target "$service"; then
    grant "serviceAccount:$EVENTS_SA" roles/run.invoker run "$service"
  else
    grant "serviceAccount:$INVOKER_SA" roles/run.invoker run "$service"
  fi
done

echo "==> push subscriptions"
pubsub_agent="serviceAccount:service-$project_number@gcp-sa-pubsub.iam.gserviceaccount.com"
for index in "${!SUB_NAMES[@]}"; do
  subscription=${SUB_NAMES[$index]}
  service=${SUB_SERVICES[$index]}
  url=${URL[$service]:?subscription $subscription pushes to $service, which is not a service of the pipeline}
  path=${SUB_PATHS[$index]}
  if absent pubsub subscriptions describe "$subscription"; then
    flags=(
      --topic="${SUB_TOPICS[$index]}" --push-endpoint="$url${path}"
      --push-auth-service-account="$INVOKER_SA" --push-auth-token-audience="$url"
    )
    [ -z "${SUB_ACK_DEADLINES[$index]}" ] || flags+=(--ack-deadline="${SUB_ACK_DEADLINES[$index]}")
    [ -z "${SUB_MIN_BACKOFFS[$index]}" ] || flags+=(--min-retry-delay="${SUB_MIN_BACKOFFS[$index]}")
    [ -z "${SUB_MAX_BACKOFFS[$index]}" ] || flags+=(--max-retry-delay="${SUB_MAX_BACKOFFS[$index]}")
    if [ -n "${SUB_DEAD_LETTER_TOPICS[$index]}" ]; then
      flags+=(--dead-letter-topic="${SUB_DEAD_LETTER_TOPICS[$index]}")
      [ -z "${SUB_MAX_DELIVERY_ATTEMPTS[$index]}" ] || flags+=(--max-delivery-attempts="${SUB_MAX_DELIVERY_ATTEMPTS[$index]}")
    fi
    change pubsub subscriptions create "$subscription" "${flags[@]}"
  fi
  # Dead-lettering: Pub/Sub's service agent acknowledges what it forwards.
  if [ -n "${SUB_DEAD_LETTER_TOPICS[$index]}" ]; then
    grant "$pubsub_agent" roles/pubsub.subscriber subscription "$subscription"
  fi
done

echo "==> Eventarc triggers"
for index in "${!TRIGGER_NAMES[@]}"; do
  trigger=${TRIGGER_NAMES[$index]}
  if [ "${TRIGGER_NAME_FILTERS[$index]}" != "*" ]; then
    # Eventarc filters Cloud Storage events by bucket only: every object of the bucket reaches
    # the service, which must skip names it does not want.
    note "Eventarc cannot filter object names: $trigger delivers every object, not only ${TRIGGER_NAME_FILTERS[$index]}"
  fi
  if absent eventarc triggers describe "$trigger" --location="$REGION"; then
    change eventarc triggers create "$trigger" --location="$REGION" \
      --destination-run-service="${TRIGGER_SERVICES[$index]}" --destination-run-region="$REGION" \
      --destination-run-path="${TRIGGER_PATHS[$index]}" \
      --event-filters=type="${TRIGGER_EVENTS[$index]}" --event-filters=bucket="${TRIGGER_BUCKETS[$index]}" \
      --service-account="$EVENTS_SA"
  fi
done

echo "deploy done: upload a CSV with 'gcloud storage cp FILE.csv gs://${PIPELINE_ENV[UPLOADS_BUCKET]:-UPLOADS_BUCKET}/'"
