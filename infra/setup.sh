#!/usr/bin/env bash
# Creates what the PixelPipe services need in a Google Cloud project, before deploy.sh: the
# APIs, service accounts with least-privilege IAM, the buckets, the Pub/Sub topics (with a pull
# subscription keeping dead letters), the control queue, the Firestore database, the
# Artifact Registry repository, the webhook secret (Secret Manager, a random value made
# here and never printed), and the log-based metrics, dashboard and alert policies of
# infra/monitoring/. Names and settings come from infra/pipeline.yaml, the
# emulator's file; project and region from the env file (infra/deploy.env).
#
# Idempotent: each resource is looked up (`describe`, `get-iam-policy`) before it is created,
# so a second run changes nothing and exits 0, and a run interrupted halfway is finished by
# the next. What needs the Cloud Run services (their invoker grants, the push subscription,
# the Eventarc trigger) is created by deploy.sh once they exist.
set -euo pipefail
# shellcheck source=infra/lib/common.sh
source "$(dirname "$0")/lib/common.sh"
# shellcheck source=infra/lib/monitoring.sh
source "$(dirname "$0")/lib/monitoring.sh"
parse_args "$@"
((${#EXTRA_ARGS[@]} == 0)) || { usage >&2; exit 2; }
load_settings

echo "==> APIs"
enabled=""
$DRY_RUN || enabled=$(look services list --enabled --format='value(config.name)') \
  || die "cannot list the enabled APIs of $PROJECT_ID (gcloud auth login? does the project exist?)"
missing=()
for api in "${APIS[@]}"; do grep -qxF "$api" <<<"$enabled" || missing+=("$api"); done
if ((${#missing[@]})); then change services enable "${missing[@]}"; fi

project_number=PROJECT_NUMBER
$DRY_RUN || project_number=$(look projects describe "$PROJECT_ID" --format='value(projectNumber)')
pubsub_agent="serviceAccount:service-$project_number@gcp-sa-pubsub.iam.gserviceaccount.com"

echo "==> service accounts"
accounts=()
for service in "${SERVICES[@]}"; do accounts+=("$service:PixelPipe $service stage"); done
accounts+=("invoker:PixelPipe Pub/Sub pushes and Cloud Tasks calls" "events:PixelPipe Eventarc trigger")
for account in "${accounts[@]}"; do
  id="$NAME_PREFIX-${account%%:*}"
  if absent iam service-accounts describe "$id@$PROJECT_ID.iam.gserviceaccount.com"; then
    change iam service-accounts create "$id" --display-name="${account#*:}"
  fi
done

echo "==> buckets"
for bucket in "${BUCKETS[@]}"; do
  if absent storage buckets describe "gs://$bucket"; then
    # In the region, so the Eventarc trigger (which must share the bucket's location) can be
    # regional; private, with uniform bucket-level access.
    change storage buckets create "gs://$bucket" --location="$REGION" --uniform-bucket-level-access \
      --public-access-prevention
  fi
done

echo "==> Pub/Sub topics"
for topic in "${TOPICS[@]}"; do
  if absent pubsub topics describe "$topic"; then change pubsub topics create "$topic"; fi
done
for index in "${!SUB_NAMES[@]}"; do
  dead_letter=${SUB_DEAD_LETTER_TOPICS[$index]}
  [ -n "$dead_letter" ] || continue
  holder=$(dead_letter_subscription "$dead_letter")
  if absent pubsub subscriptions describe "$holder"; then
    change pubsub subscriptions create "$holder" --topic="$dead_letter" --message-retention-duration=7d
  fi
  # Pub/Sub itself forwards undeliverable messages: its service agent publishes to the
  # dead-letter topic (it also needs to subscribe to the source subscription: deploy.sh).
  grant "$pubsub_agent" roles/pubsub.publisher topic "$dead_letter"
done

echo "==> Cloud Tasks queues"
for index in "${!QUEUE_NAMES[@]}"; do
  queue=${QUEUE_NAMES[$index]}
  if absent tasks queues describe "$queue" --location="$REGION"; then
    flags=()
    [ -z "${QUEUE_RATES[$index]}" ] || flags+=(--max-dispatches-per-second="${QUEUE_RATES[$index]}")
    [ -z "${QUEUE_CONCURRENCIES[$index]}" ] || flags+=(--max-concurrent-dispatches="${QUEUE_CONCURRENCIES[$index]}")
    [ -z "${QUEUE_MAX_ATTEMPTS[$index]}" ] || flags+=(--max-attempts="${QUEUE_MAX_ATTEMPTS[$index]}")
    [ -z "${QUEUE_MAX_RETRY_DURATIONS[$index]}" ] || flags+=(--max-retry-duration="${QUEUE_MAX_RETRY_DURATIONS[$index]}")
    [ -z "${QUEUE_MIN_BACKOFFS[$index]}" ] || flags+=(--min-backoff="${QUEUE_MIN_BACKOFFS[$index]}")
    [ -z "${QUEUE_MAX_BACKOFFS[$index]}" ] || flags+=(--max-backoff="${QUEUE_MAX_BACKOFFS[$index]}")
    [ -z "${QUEUE_MAX_DOUBLINGS[$index]}" ] || flags+=(--max-doublings="${QUEUE_MAX_DOUBLINGS[$index]}")
    change tasks queues create "$queue" --location="$REGION" "${flags[@]}"
  fi
done

echo "==> Firestore"
if absent firestore databases describe --database='(default)'; then
  change firestore databases create --database='(default)' --location="$REGION" --type=firestore-native
fi

echo "==> Firestore indexes"
# The composite indexes of the jobs API's queries; building one takes a few minutes, during
# which those queries answer FAILED_PRECONDITION.
for entry in "${FIRESTORE_INDEXES[@]}"; do
  read -r collection fields <<<"$entry"
  read -r -a fields <<<"$fields"
  has_index "$collection" "${fields[@]}" && continue
  flags=()
  for field in "${fields[@]}"; do flags+=(--field-config="field-path=${field%%:*},order=${field#*:}"); done
  change firestore indexes composite create --database='(default)' --collection-group="$collection" --query-scope=COLLECTION "${flags[@]}"
done

echo "==> Artifact Registry"
if absent artifacts repositories describe "$REPOSITORY" --location="$REGION"; then
  change artifacts repositories create "$REPOSITORY" --repository-format=docker --location="$REGION" \
    --description="PixelPipe images"
fi

echo "==> webhook secret"
# The HMAC key of the webhooks' X-PixelPipe-Signature, created once with a random value
# (deploy.sh gives it to the teardown stage as WEBHOOK_SECRET).
ensure_webhook_secret

echo "==> IAM"
for entry in "${STAGE_ROLES[@]}"; do
  read -r stage target role <<<"$entry"
  [ -n "${SERVICE_BINARY[$stage]:-}" ] || continue
  member="serviceAccount:$(stage_sa "$stage")"
  case $target in
    project) grant "$member" "$role" project ;;
    invoker) grant "$member" "$role" sa "$INVOKER_SA" ;;
    bucket:*) grant "$member" "$role" bucket "${PIPELINE_ENV[${target#bucket:}]}" ;;
    topic:*) grant "$member" "$role" topic "${PIPELINE_ENV[${target#topic:}]}" ;;
    webhook-secret) grant "$member" "$role" secret "$WEBHOOK_SECRET_NAME" ;;
  esac
done
# Pub/Sub signs the OIDC tokens of push requests as the invoker account.
grant "$pubsub_agent" roles/iam.serviceAccountTokenCreator sa "$INVOKER_SA"
# Eventarc: its account receives events; Cloud Storage publishes them through Pub/Sub.
grant "serviceAccount:$EVENTS_SA" roles/eventarc.eventReceiver project
if ((${#TRIGGER_NAMES[@]})); then
  # `storage service-agent` also creates the agent when the project has none yet.
  storage_agent=service-$project_number@gs-project-accounts.iam.gserviceaccount.com
  $DRY_RUN || storage_agent=$(look storage service-agent)
  grant "serviceAccount:$storage_agent" roles/pubsub.publisher project
fi

# Log-based metrics, the dashboard and the alert policies (infra/monitoring/).
ensure_monitoring

echo "setup done: next, infra/deploy.sh builds the image and deploys the services"
