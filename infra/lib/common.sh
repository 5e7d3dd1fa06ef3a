# shellcheck shell=bash disable=SC2034
# (SC2034: the variables set here are used by the scripts that source this file.)
# Shared by infra/setup.sh, infra/deploy.sh and infra/teardown.sh: arguments, the env file,
# the topology of infra/pipeline.yaml, and the look-before-change helpers that make each
# script idempotent.
#
# Every gcloud call names --project, so nothing depends on `gcloud config`. Calls that change
# something go through `change`, which prints them (`+ gcloud …`) and, with --dry-run, runs
# nothing. Look-ups (`describe`, `get-iam-policy`) go through `look`; a dry run makes no gcloud
# call at all, so it prints what a first run on an empty project would do.

INFRA_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
REPO_DIR=$(dirname "$INFRA_DIR")
GCLOUD=${GCLOUD:-gcloud}

usage() {
  cat <<EOF
usage: $(basename "$0") [--dry-run] [--env-file FILE] [--pipeline FILE] [--project ID] [--region REGION]${EXTRA_USAGE:-}

  --dry-run        print the gcloud commands (as '+ gcloud …') without running any
  --env-file FILE  project and region settings (default: infra/deploy.env; see infra/deploy.env.example)
  --pipeline FILE  the topology (default: infra/pipeline.yaml, the emulator's file)
  --project ID     overrides PROJECT_ID of the env file
  --region REGION  overrides REGION of the env file
EOF
}

# What topology.py sets from the pipeline file (declared here for readers and shellcheck).
PIPELINE_PROJECT="" PIPELINE_LOCATION="" BUCKETS=() SERVICES=() DROPPED_ENV=() TOPICS=()
TRIGGER_NAMES=() TRIGGER_BUCKETS=() TRIGGER_EVENTS=() TRIGGER_SERVICES=() TRIGGER_PATHS=()
TRIGGER_NAME_FILTERS=() SUB_NAMES=() SUB_TOPICS=() SUB_SERVICES=() SUB_PATHS=()
SUB_ACK_DEADLINES=() SUB_MIN_BACKOFFS=() SUB_MAX_BACKOFFS=() SUB_DEAD_LETTER_TOPICS=()
SUB_MAX_DELIVERY_ATTEMPTS=() QUEUE_NAMES=() QUEUE_RATES=() QUEUE_CONCURRENCIES=()
QUEUE_MAX_ATTEMPTS=() QUEUE_MIN_BACKOFFS=() QUEUE_MAX_BACKOFFS=() QUEUE_MAX_DOUBLINGS=()
declare -A PIPELINE_ENV=() SERVICE_BINARY=() SERVICE_ENV=()

DRY_RUN=false
ENV_FILE=${PIXELPIPE_DEPLOY_ENV:-$INFRA_DIR/deploy.env}
PIPELINE_FILE=$INFRA_DIR/pipeline.yaml
project_flag=""
region_flag=""
EXTRA_ARGS=()

parse_args() {
  while (($#)); do
    case $1 in
      --dry-run) DRY_RUN=true; shift ;;
      --env-file) ENV_FILE=$2; shift 2 ;;
      --env-file=*) ENV_FILE=${1#*=}; shift ;;
      --pipeline) PIPELINE_FILE=$2; shift 2 ;;
      --pipeline=*) PIPELINE_FILE=${1#*=}; shift ;;
      --project) project_flag=$2; shift 2 ;;
      --project=*) project_flag=${1#*=}; shift ;;
      --region) region_flag=$2; shift 2 ;;
      --region=*) region_flag=${1#*=}; shift ;;
      -h | --help) usage; exit 0 ;;
      *) EXTRA_ARGS+=("$1"); shift ;;
    esac
  done
}

die() { echo "$(basename "$0"): $*" >&2; exit 1; }
note() { echo "# $*"; }

# A python3 with PyYAML: $PYTHON or python3 on PATH, else Debian's (python3-yaml). Resolved to
# the interpreter itself, so each later call skips a version manager's shim.
find_python() {
  local candidate
  for candidate in "${PYTHON:-python3}" /usr/bin/python3; do
    if command -v "$candidate" >/dev/null 2>&1 && "$candidate" -c 'import yaml' 2>/dev/null; then
      PYTHON=$("$candidate" -c 'import sys; print(sys.executable)')
      return 0
    fi
  done
  die "needs python3 with PyYAML to read $PIPELINE_FILE (Debian: apt-get install python3-yaml; else pip install pyyaml)"
}

# Loads the env file and the topology. Settings (see infra/deploy.env.example):
#   PROJECT_ID (required), REGION (default: the pipeline's location), BUCKET_PREFIX (default
#   PROJECT_ID-), NAME_PREFIX for service accounts (default pixelpipe), REPOSITORY (Artifact
#   Registry, default pixelpipe), WEBHOOK_SECRET_NAME (Secret Manager, default
#   pixelpipe-webhook-secret), IMAGE, and the Cloud Run settings deploy.sh reads.
load_settings() {
  if [ -f "$ENV_FILE" ]; then
    # shellcheck disable=SC1090
    source "$ENV_FILE"
  elif [ -n "${PIXELPIPE_DEPLOY_ENV:-}" ] || [ "$ENV_FILE" != "$INFRA_DIR/deploy.env" ]; then
    die "no env file $ENV_FILE"
  fi
  PROJECT_ID=${project_flag:-${PROJECT_ID:-}}
  [ -n "$PROJECT_ID" ] || die "PROJECT_ID is not set: copy infra/deploy.env.example to infra/deploy.env and fill it in, or pass --project"
  [ -f "$PIPELINE_FILE" ] || die "no pipeline file $PIPELINE_FILE"
  find_python
  BUCKET_PREFIX=${BUCKET_PREFIX-$PROJECT_ID-}
  local topology
  topology=$("$PYTHON" "$INFRA_DIR/lib/topology.py" shell "$PIPELINE_FILE" "$BUCKET_PREFIX") || die "cannot read $PIPELINE_FILE"
  eval "$topology"
  REGION=${region_flag:-${REGION:-$PIPELINE_LOCATION}}
  NAME_PREFIX=${NAME_PREFIX:-pixelpipe}
  REPOSITORY=${REPOSITORY:-pixelpipe}
  WEBHOOK_SECRET_NAME=${WEBHOOK_SECRET_NAME:-pixelpipe-webhook-secret}
  INVOKER_SA="$NAME_PREFIX-invoker@$PROJECT_ID.iam.gserviceaccount.com"
  EVENTS_SA="$NAME_PREFIX-events@$PROJECT_ID.iam.gserviceaccount.com"
  if $DRY_RUN; then note "dry run: no gcloud command is run; this is what a first run on an empty project does"; fi
  note "project $PROJECT_ID, region $REGION, pipeline $PIPELINE_FILE"
}

# The runtime service account of a stage.
stage_sa() { echo "$NAME_PREFIX-$1@$PROJECT_ID.iam.gserviceaccount.com"; }

# `+ gcloud ARGS…` as the command would be typed (quoted only where the shell needs it).
print_command() {
  local text="+ $GCLOUD" arg
  for arg in "$@"; do
    if [[ $arg =~ ^[][A-Za-z0-9_./:=@%+,^*-]+$ ]]; then text+=" $arg"; else text+=" $(printf '%q' "$arg")"; fi
  done
  echo "$text"
}

# Runs a gcloud command that changes something (or only prints it, with --dry-run). What
# gcloud prints on stdout (the changed resource, a whole IAM policy) is dropped; its progress
# and errors go to stderr as usual.
change() {
  print_command "$@" --project="$PROJECT_ID" --quiet
  $DRY_RUN && return 0
  "$GCLOUD" "$@" --project="$PROJECT_ID" --quiet >/dev/null
}

# Runs a read-only gcloud command; its output is the result, its errors are dropped.
look() {
  "$GCLOUD" "$@" --project="$PROJECT_ID" --quiet 2>/dev/null
}

# Whether a resource exists, by the exit status of `KIND-WORDS… describe NAME [FLAGS]`.
# With --dry-run, setup and deploy take everything as absent, teardown as present.
absent() {
  $DRY_RUN && return 0
  ! look "$@" >/dev/null
}
present() {
  $DRY_RUN && return 0
  look "$@" >/dev/null
}

# The get-iam-policy and add/remove-iam-policy-binding words of a resource kind:
#   project | bucket NAME | topic NAME | subscription NAME | sa EMAIL | run SERVICE | secret NAME
iam_target() {
  case $1 in
    project) IAM_GROUP=(projects); IAM_RESOURCE=("$PROJECT_ID") ;;
    bucket) IAM_GROUP=(storage buckets); IAM_RESOURCE=("gs://$2") ;;
    topic) IAM_GROUP=(pubsub topics); IAM_RESOURCE=("$2") ;;
    subscription) IAM_GROUP=(pubsub subscriptions); IAM_RESOURCE=("$2") ;;
    sa) IAM_GROUP=(iam service-accounts); IAM_RESOURCE=("$2") ;;
    run) IAM_GROUP=(run services); IAM_RESOURCE=("$2") ;;
    secret) IAM_GROUP=(secrets); IAM_RESOURCE=("$2") ;;
    *) die "unknown IAM target $1" ;;
  esac
  # Look-ups and changes of a Cloud Run service name its region; project bindings are
  # unconditional (without --condition=None gcloud asks when the policy has conditions).
  IAM_LOOK_FLAGS=()
  IAM_FLAGS=()
  case $1 in
    run) IAM_LOOK_FLAGS=(--region="$REGION"); IAM_FLAGS=(--region="$REGION") ;;
    project) IAM_FLAGS=(--condition=None) ;;
  esac
}

# Policies read in this run, by target, so that a dozen grants on the project read its policy
# once; a grant or revoke forgets the target's entry.
declare -A POLICY_CACHE=()

# Whether MEMBER holds ROLE on the target (false in a dry run).
has_binding() {
  local member=$1 role=$2 key
  shift 2
  $DRY_RUN && return 1
  iam_target "$@"
  key="${IAM_GROUP[*]} ${IAM_RESOURCE[*]}"
  if [ -z "${POLICY_CACHE[$key]+set}" ]; then
    POLICY_CACHE[$key]=$(look "${IAM_GROUP[@]}" get-iam-policy "${IAM_RESOURCE[@]}" "${IAM_LOOK_FLAGS[@]}" --format=json || true)
  fi
  "$PYTHON" "$INFRA_DIR/lib/topology.py" policy-has "$role" "$member" <<<"${POLICY_CACHE[$key]}"
}

# Grants ROLE to MEMBER on a target unless it is already granted: `grant MEMBER ROLE KIND [NAME]`.
grant() {
  local member=$1 role=$2
  has_binding "$@" && return 0
  iam_target "${@:3}"
  unset 'POLICY_CACHE["${IAM_GROUP[*]} ${IAM_RESOURCE[*]}"]'
  change "${IAM_GROUP[@]}" add-iam-policy-binding "${IAM_RESOURCE[@]}" --member="$member" --role="$role" "${IAM_FLAGS[@]}"
}

# Removes ROLE from MEMBER on a target if it is granted: `revoke MEMBER ROLE KIND [NAME]`.
revoke() {
  local member=$1 role=$2
  if ! $DRY_RUN && ! has_binding "$@"; then return 0; fi
  iam_target "${@:3}"
  unset 'POLICY_CACHE["${IAM_GROUP[*]} ${IAM_RESOURCE[*]}"]'
  change "${IAM_GROUP[@]}" remove-iam-policy-binding "${IAM_RESOURCE[@]}" --member="$member" --role="$role" "${IAM_FLAGS[@]}"
}

# What each stage's service account may do, least privilege: `STAGE TARGET ROLE`, where TARGET
# is project, the bucket or topic named by a pipeline env variable (bucket:UPLOADS_BUCKET),
# invoker (act as the invoker account, to put its OIDC token on Cloud Tasks tasks), or
# webhook-secret (the Secret Manager secret WEBHOOK_SECRET_NAME, and nothing else).
STAGE_ROLES=(
  "ingest bucket:UPLOADS_BUCKET roles/storage.objectViewer"    # stream the CSV
  "ingest bucket:PROCESSED_BUCKET roles/storage.objectUser"    # error reports (rewritten on retry)
  "ingest topic:SHARDS_TOPIC roles/pubsub.publisher"           # shard messages
  "ingest project roles/datastore.user"                        # job document
  "ingest project roles/cloudtasks.queueAdmin"                 # the job's images-JOB queue
  "ingest project roles/cloudtasks.enqueuer"                   # watchdog task
  "ingest invoker roles/iam.serviceAccountUser"
  "populate bucket:UPLOADS_BUCKET roles/storage.objectViewer"  # its byte range of the CSV
  "populate project roles/datastore.user"                      # invalid rows through the ledger
  "populate project roles/cloudtasks.enqueuer"                 # one task per image
  "populate invoker roles/iam.serviceAccountUser"
  "process bucket:PROCESSED_BUCKET roles/storage.objectUser"   # outputs (deterministic names)
  "process project roles/datastore.user"                       # item + counters
  "process project roles/cloudtasks.enqueuer"                  # teardown task
  "process project roles/cloudtasks.viewer"                    # its own task's firstAttempt: is this the final attempt under maxRetryDuration?
  "process invoker roles/iam.serviceAccountUser"
  "teardown bucket:UPLOADS_BUCKET roles/storage.objectViewer"  # input columns for the output CSV
  "teardown bucket:PROCESSED_BUCKET roles/storage.objectUser"  # output CSV
  "teardown project roles/datastore.user"                      # finish the job
  "teardown project roles/cloudtasks.queueAdmin"               # delete the job's queue
  "teardown webhook-secret roles/secretmanager.secretAccessor" # WEBHOOK_SECRET, signing the webhook
  "process bucket:UPLOADS_BUCKET roles/storage.objectViewer"   # images uploaded through the jobs API (gs://UPLOADS_BUCKET/api-images/…)
  "api bucket:UPLOADS_BUCKET roles/storage.objectUser"         # stream CSVs and images in, find an Idempotency-Key's object, cancel refused uploads
  "api bucket:PROCESSED_BUCKET roles/storage.objectViewer"     # stream output CSVs out
  "api project roles/datastore.user"                           # read jobs and items (queries), remember queued submissions
  "api project roles/firebaseauth.viewer"                      # look up accounts: deleted, disabled, tokens revoked
)

# The Firestore composite indexes the jobs API's queries need, `COLLECTION FIELD:ORDER…`
# (Firestore's single-field indexes serve the rest): GET /v1/jobs orders by createdAt descending
# under equality filters on the owner (a user's own jobs) and the status (?status=S; an admin's
# listing has no owner filter); a user's submissions not yet ingested are found by owner and time.
FIRESTORE_INDEXES=(
  "jobs status:ascending createdAt:descending"
  "jobs owner:ascending createdAt:descending"
  "jobs owner:ascending status:ascending createdAt:descending"
  "apiSubmissions owner:ascending createdAt:ascending"
)

# The services users call (not Pub/Sub, Cloud Tasks or Eventarc): public ingress
# (`--allow-unauthenticated`), since the service itself verifies every caller's Firebase ID
# token (or an allowed service account's Google-signed token, API_SERVICE_ACCOUNTS).
USER_SERVICES=(api)

# The APIs the deployment uses.
APIS=(
  run.googleapis.com eventarc.googleapis.com pubsub.googleapis.com cloudtasks.googleapis.com
  firestore.googleapis.com storage.googleapis.com iam.googleapis.com
  artifactregistry.googleapis.com cloudbuild.googleapis.com secretmanager.googleapis.com
  identitytoolkit.googleapis.com
)

# The stage that signs webhooks: deploy.sh gives it WEBHOOK_SECRET from Secret Manager.
WEBHOOK_STAGE=teardown

# Makes sure the webhook secret exists with a version to read, creating it with a random value
# when it does not: 32 bytes from /dev/urandom as hex, generated here and handed to gcloud on
# stdin (`--data-file=-`), so the value is never in a variable, an argument list (visible in
# `ps`), the printed commands or a log. An existing secret is left as it is, so receivers keep
# verifying with the value they have; a secret left without a version (a create interrupted
# between its two API calls) gets one.
ensure_webhook_secret() {
  if absent secrets describe "$WEBHOOK_SECRET_NAME"; then
    random_hex | change secrets create "$WEBHOOK_SECRET_NAME" --replication-policy=automatic --data-file=-
  elif [ -z "$(look secrets versions list "$WEBHOOK_SECRET_NAME" --filter=state:enabled --limit=1 --format='value(name)')" ]; then
    random_hex | change secrets versions add "$WEBHOOK_SECRET_NAME" --data-file=-
  fi
}

# 32 random bytes as 64 hex digits, without a newline; nothing at all in a dry run.
random_hex() {
  $DRY_RUN && return 0
  od -An -vtx1 -N32 /dev/urandom | tr -d ' \n'
}

# The dead-letter topics' pull subscriptions, so dead letters are kept for inspection (a topic
# without subscriptions drops what is published to it).
dead_letter_subscription() { echo "$1-pull"; }

# Whether the composite index `COLLECTION FIELD:ORDER…` exists (false in a dry run): the
# database's composite indexes are listed once per run.
INDEX_LIST=""
has_index() {
  $DRY_RUN && return 1
  [ -n "$INDEX_LIST" ] || INDEX_LIST=$(look firestore indexes composite list --database='(default)' --format=json || echo '[]')
  "$PYTHON" -c '
import json, sys
collection, fields = sys.argv[1], [f.split(":") for f in sys.argv[2:]]
wanted = [(path, order.upper()) for path, order in fields]
for index in json.loads(sys.stdin.read() or "[]"):
    have = [(f.get("fieldPath"), f.get("order")) for f in index.get("fields", []) if f.get("fieldPath") != "__name__"]
    if index.get("name", "").split("/collectionGroups/")[-1].split("/")[0] == collection and have == wanted:
        sys.exit(0)
sys.exit(1)' "$@" <<<"$INDEX_LIST"
}

# Whether SERVICE is called by users (see USER_SERVICES).
is_user_service() {
  local service
  for service in "${USER_SERVICES[@]}"; do [ "$service" = "$1" ] && return 0; done
  return 1
}

# Services invoked by a storage trigger (Eventarc's account calls them); the others are
# called by Pub/Sub pushes and Cloud Tasks with the invoker account's OIDC token.
is_trigger_target() {
  local service
  for service in "${TRIGGER_SERVICES[@]}"; do [ "$service" = "$1" ] && return 0; done
  return 1
}
