#!/usr/bin/env bash
# Deletes what setup.sh and deploy.sh made, in the reverse order: the Eventarc triggers, the
# subscriptions, the Cloud Run services, the queues, the topics, the buckets (with their
# objects), the Firestore database, the webhook secret, the Artifact Registry repository, the
# alert policies, dashboard and log-based metrics, the project-level grants of PixelPipe's
# service accounts, and the accounts.
#
#   infra/teardown.sh [--dry-run] [--keep-data] [--env-file FILE] …
#   --keep-data   keep the buckets, the Firestore database and the webhook secret (so webhook
#                 receivers can still verify signatures after a new deployment)
#
# Each resource is looked up first and deleted only when it exists, so teardown finishes what
# an interrupted setup started, and a second run deletes nothing and exits 0. The APIs stay
# enabled (other things in the project may use them), and so does the Cloud Storage agent's
# pubsub.publisher grant. Cloud Tasks keeps a deleted queue's name for up to 7 days: a setup
# right after a teardown cannot create the control queue again until then.
set -euo pipefail
# shellcheck source=infra/lib/common.sh
source "$(dirname "$0")/lib/common.sh"
# shellcheck source=infra/lib/monitoring.sh
source "$(dirname "$0")/lib/monitoring.sh"
EXTRA_USAGE=" [--keep-data]"
parse_args "$@"
keep_data=false
for arg in "${EXTRA_ARGS[@]}"; do
  case $arg in
    --keep-data) keep_data=true ;;
    *) usage >&2; exit 2 ;;
  esac
done
load_settings

echo "==> Eventarc triggers"
for trigger in "${TRIGGER_NAMES[@]}"; do
  if present eventarc triggers describe "$trigger" --location="$REGION"; then
    change eventarc triggers delete "$trigger" --location="$REGION"
  fi
done

echo "==> subscriptions"
subscriptions=("${SUB_NAMES[@]}")
for topic in "${SUB_DEAD_LETTER_TOPICS[@]}"; do
  [ -z "$topic" ] || subscriptions+=("$(dead_letter_subscription "$topic")")
done
for subscription in "${subscriptions[@]}"; do
  if present pubsub subscriptions describe "$subscription"; then
    change pubsub subscriptions delete "$subscription"
  fi
done

echo "==> Cloud Run services"
for service in "${SERVICES[@]}"; do
  if present run services describe "$service" --region="$REGION"; then
    change run services delete "$service" --region="$REGION"
  fi
done

echo "==> Cloud Tasks queues"
# The per-job images-JOB queues are deleted by the teardown stage when each job finishes.
for queue in "${QUEUE_NAMES[@]}"; do
  if present tasks queues describe "$queue" --location="$REGION"; then
    change tasks queues delete "$queue" --location="$REGION"
  fi
done

echo "==> Pub/Sub topics"
for topic in "${TOPICS[@]}"; do
  if present pubsub topics describe "$topic"; then change pubsub topics delete "$topic"; fi
done

if $keep_data; then
  note "--keep-data: the buckets, the Firestore database and the webhook secret stay"
else
  echo "==> buckets"
  for bucket in "${BUCKETS[@]}"; do
    if present storage buckets describe "gs://$bucket"; then
      # Deletes the objects, then the bucket.
      change storage rm --recursive "gs://$bucket"
    fi
  done
  echo "==> Firestore"
  if present firestore databases describe --database='(default)'; then
    change firestore databases delete --database='(default)'
  fi
  echo "==> webhook secret"
  if present secrets describe "$WEBHOOK_SECRET_NAME"; then
    change secrets delete "$WEBHOOK_SECRET_NAME"
  fi
fi

echo "==> Artifact Registry"
if present artifacts repositories describe "$REPOSITORY" --location="$REGION"; then
  change artifacts repositories delete "$REPOSITORY" --location="$REGION"
fi

# The log-based metrics, dashboard and alert policies (also with --keep-data: they hold no data).
remove_monitoring

echo "==> IAM"
# Project-level grants would outlive their accounts (as deleted:serviceAccount:… members), and
# so would a grant on a webhook secret kept by --keep-data; grants on the deleted buckets,
# topics, services and secret went with them.
keep_secret=false
if $keep_data && present secrets describe "$WEBHOOK_SECRET_NAME"; then keep_secret=true; fi
for entry in "${STAGE_ROLES[@]}"; do
  read -r stage target role <<<"$entry"
  [ -n "${SERVICE_BINARY[$stage]:-}" ] || continue
  case $target in
    project) revoke "serviceAccount:$(stage_sa "$stage")" "$role" project ;;
    webhook-secret) if $keep_secret; then revoke "serviceAccount:$(stage_sa "$stage")" "$role" secret "$WEBHOOK_SECRET_NAME"; fi ;;
  esac
done
revoke "serviceAccount:$EVENTS_SA" roles/eventarc.eventReceiver project

echo "==> service accounts"
accounts=()
for service in "${SERVICES[@]}"; do accounts+=("$(stage_sa "$service")"); done
accounts+=("$INVOKER_SA" "$EVENTS_SA")
for account in "${accounts[@]}"; do
  if present iam service-accounts describe "$account"; then
    change iam service-accounts delete "$account"
  fi
done

echo "teardown done"
