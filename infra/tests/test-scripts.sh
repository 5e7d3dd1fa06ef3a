#!/usr/bin/env bash
# Tests of infra/setup.sh, deploy.sh and teardown.sh against a fake gcloud
# (infra/tests/fake-gcloud/gcloud, infra/tests/fake_gcloud.py) that keeps its state in a temporary folder, fails on
# duplicate creates and grants and on deletes of missing things, and logs every change:
#   - --dry-run prints the commands and calls gcloud not once;
#   - setup twice: the second run changes nothing and exits 0; deploy twice likewise;
#   - what deploy gives the services (binary, no unauthenticated calls, URLs, no local-only env);
#   - teardown twice: the first deletes everything, the second nothing, and exits 0;
#   - a setup interrupted halfway: teardown cleans it up; or a second setup finishes it;
#   - the jobs API: public (it verifies tokens itself), its settings, the Firestore composite
#     indexes of its queries created once (and shown by --dry-run);
#   - the webhook secret: made once, readable by teardown only, given to teardown with
#     --set-secrets, its value in no output and no argument list, deleted by teardown unless
#     --keep-data;
#   - monitoring: the log-based metrics, the dashboard and the alert policies of
#     infra/monitoring/ created once (and shown by --dry-run), a definition changed in the
#     project put back by the next setup, all deleted by teardown;
#   - load-results.sh: --dry-run prints the bq commands and runs none; a load creates the
#     dataset once and loads JOB/results.ndjson with the results schema; a bad job id is refused;
#   - the scripts are shellcheck-clean.
# Needs bash, python3 with PyYAML and shellcheck (scripts/setup-system.sh installs them).
set -euo pipefail
cd "$(dirname "$0")/../.."

passed=0
failed=0
check() {
  local description=$1
  shift
  if "$@"; then
    echo "  ok   $description"
    passed=$((passed + 1))
  else
    echo "  FAIL $description"
    failed=$((failed + 1))
  fi
}

# Settings come only from the test's env file, never from the caller's environment.
unset PROJECT_ID REGION BUCKET_PREFIX NAME_PREFIX REPOSITORY IMAGE PYTHON GCLOUD PIXELPIPE_DEPLOY_ENV BQ BQ_DATASET BQ_TABLE
unset API_INVOKERS FIREBASE_API_KEY API_SERVICE_ACCOUNTS
for stage in INGEST POPULATE PROCESS TEARDOWN API; do
  for setting in CONCURRENCY MEMORY CPU TIMEOUT MAX_INSTANCES; do unset "${stage}_$setting"; done
done

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export PATH="$PWD/infra/tests/fake-gcloud:$PATH"
FAKE_GCLOUD_PYTHON=$(python3 -c 'import sys; print(sys.executable)')
export FAKE_GCLOUD_PYTHON
cat >"$work/deploy.env" <<'EOF'
PROJECT_ID=test-project
REGION=europe-west1
EOF
args=(--env-file "$work/deploy.env")

# A fresh fake project: FAKE_GCLOUD_STATE points at an empty folder.
fresh() {
  export FAKE_GCLOUD_STATE="$work/state-$1"
  rm -rf "$FAKE_GCLOUD_STATE"
  mkdir -p "$FAKE_GCLOUD_STATE"
}
# Runs an infra script, keeping its output in $work/SCRIPT.out; returns its exit status.
run() {
  local script=$1
  shift
  "infra/$script.sh" "${args[@]}" "$@" >"$work/$script.out" 2>&1
}
changes() { if [ -f "$FAKE_GCLOUD_STATE/changes.log" ]; then wc -l <"$FAKE_GCLOUD_STATE/changes.log"; else echo 0; fi; }
changes_like() { grep -c "$1" "$FAKE_GCLOUD_STATE/changes.log" 2>/dev/null || true; }
equals() { [ "$1" = "$2" ] || { echo "       expected '$2', got '$1'" >&2; return 1; }; }
greater() { [ "$1" -gt "$2" ] || { echo "       expected more than $2, got $1" >&2; return 1; }; }
# What is left in the fake project: resources and project-level grants to PixelPipe accounts.
leftovers() {
  python3 - "$FAKE_GCLOUD_STATE/state.json" <<'EOF'
import json, sys
state = json.load(open(sys.argv[1]))
left = ["%s %s" % (kind, name) for kind, items in state["resources"].items()
        if kind != "artifacts docker images" for name in items]
for target, roles in state["policies"].items():
    for role, members in roles.items():
        left += ["%s %s %s" % (target, role, m) for m in members if "pixelpipe-" in m]
print(len(left))
for item in left:
    print("       left: " + item, file=sys.stderr)
EOF
}
# The first value of a secret in the fake Secret Manager (empty when there is none).
secret_value() {
  python3 - "$FAKE_GCLOUD_STATE/state.json" "$1" <<'EOF'
import json, sys
values = json.load(open(sys.argv[1])).get("secret_values", {}).get(sys.argv[2], [])
print(values[0] if values else "")
EOF
}
# The members holding ROLE on TARGET ("projects test-project", "secrets NAME"), space-separated.
members() {
  python3 - "$FAKE_GCLOUD_STATE/state.json" "$1" "$2" <<'EOF'
import json, sys
print(" ".join(json.load(open(sys.argv[1]))["policies"].get(sys.argv[2], {}).get(sys.argv[3], [])))
EOF
}
# A field (dotted path) of a monitoring resource in the fake project: `KIND NAME PATH`.
monitoring_field() {
  python3 - "$FAKE_GCLOUD_STATE/state.json" "$@" <<'EOF'
import json, sys
value = json.load(open(sys.argv[1]))["resources"][sys.argv[2]][sys.argv[3]]
for key in sys.argv[4].split("."):
    value = value[key]
print(value)
EOF
}
is_hex64() { [[ $1 =~ ^[0-9a-f]{64}$ ]] || { echo "       not 64 hex digits (${#1} characters)" >&2; return 1; }; }
# Whether TEXT occurs in none of the FILES (the text is secret: never printed).
nowhere() { ! grep -qrF -- "$1" "${@:2}"; }
service_field() {
  python3 - "$FAKE_GCLOUD_STATE/state.json" "$1" "$2" <<'EOF'
import json, sys
service = json.load(open(sys.argv[1]))["resources"]["run services"][sys.argv[2]]
key = sys.argv[3]
print(service["env"].get(key[4:], "<unset>") if key.startswith("env:") else service["flags"].get(key, ["<unset>"])[-1])
EOF
}

echo "==> --dry-run"
fresh dry-run
for script in setup deploy teardown; do
  check "$script.sh --dry-run exits 0" run "$script" --dry-run
  check "$script.sh --dry-run prints its gcloud commands" greater "$(grep -c '^+ gcloud ' "$work/$script.out")" 0
  check "$script.sh --dry-run calls gcloud not once" equals "$([ -f "$FAKE_GCLOUD_STATE/calls.log" ] && wc -l <"$FAKE_GCLOUD_STATE/calls.log" || echo 0)" 0
done
check "setup.sh --dry-run shows the jobs API's Firestore index created" \
  grep -q -- '^+ gcloud firestore indexes composite create --database=\\(default\\) --collection-group=jobs --query-scope=COLLECTION --field-config=field-path=status,order=ascending --field-config=field-path=createdAt,order=descending --project=test-project --quiet$' "$work/setup.out"
check "setup.sh --dry-run shows the secret created from stdin" \
  grep -q -- '^+ gcloud secrets create pixelpipe-webhook-secret --replication-policy=automatic --data-file=- --project=test-project --quiet$' "$work/setup.out"
check "setup.sh --dry-run shows each log-based metric created from its file" \
  equals "$(grep -c -- '^+ gcloud logging metrics create pixelpipe_[a-z_]* --config-from-file=.*/infra/monitoring/metrics/pixelpipe_[a-z_]*\.json --project=test-project --quiet$' "$work/setup.out")" \
  "$(find infra/monitoring/metrics -name '*.json' | wc -l)"
check "setup.sh --dry-run shows the dashboard created" \
  grep -q -- '^+ gcloud monitoring dashboards create --config-from-file=.*/infra/monitoring/dashboard\.json --project=test-project --quiet$' "$work/setup.out"
check "setup.sh --dry-run shows the 4 alert policies created" \
  equals "$(grep -c -- '^+ gcloud alpha monitoring policies create --policy-from-file=.*/infra/monitoring/policies/[a-z-]*\.json --project=test-project --quiet$' "$work/setup.out")" 4
check "teardown.sh --dry-run shows the metrics, dashboard and policies deleted" \
  equals "$(grep -c -- '^+ gcloud \(logging metrics\|monitoring dashboards\|alpha monitoring policies\) delete ' "$work/teardown.out")" \
  "$(($(find infra/monitoring/metrics -name '*.json' | wc -l) + 1 + 4))"

echo "==> setup twice, deploy twice"
fresh twice
check "setup.sh exits 0 on an empty project" run setup
first=$(changes)
check "the first setup creates and grants ($first changes)" greater "$first" 20
check "setup creates the control queue with its retry settings" \
  grep -q -- 'tasks queues create control --location=europe-west1 --max-dispatches-per-second=10 --max-concurrent-dispatches=4 --max-attempts=20 --max-retry-duration=1800s --min-backoff=1s --max-backoff=60s --max-doublings=4' "$work/setup.out"
check "setup.sh exits 0 the second time" run setup
check "the second setup changes nothing" equals "$(changes)" "$first"
check "deploy.sh exits 0" run deploy
deployed=$(changes)
check "setup creates the jobs API's Firestore indexes once each" equals "$(changes_like '^create firestore indexes composite ')" 4
check "setup creates each log-based metric, the dashboard and the 4 alert policies once" \
  equals "$(changes_like '^create logging metrics ') $(changes_like '^create monitoring dashboards PixelPipe$') $(changes_like '^create alpha monitoring policies ')" \
  "$(find infra/monitoring/metrics -name '*.json' | wc -l) 1 4"
check "the metrics read the stages' structured fields" \
  equals "$(monitoring_field 'logging metrics' pixelpipe_items labelExtractors.outcome) $(monitoring_field 'logging metrics' pixelpipe_queue_lag_ms valueExtractor)" \
  'EXTRACT(jsonPayload."pixelpipe.outcome") EXTRACT(jsonPayload."pixelpipe.queue_lag_ms")'
check "deploy builds the image once and deploys 5 services" equals "$(changes_like '^build ') $(changes_like '^deploy run services')" "1 5"
check "deploy gives the services the URLs Cloud Run reports" equals "$(changes_like '^update run services')" 5
check "api runs /app/bin/api, with the uploads bucket" equals "$(service_field api command) $(service_field api env:UPLOADS_BUCKET)" "/app/bin/api test-project-pixelpipe-uploads"
check "api is public: it verifies callers' tokens itself" equals "$(service_field api allow-unauthenticated) $(service_field api no-allow-unauthenticated)" "True <unset>"
check "no IAM invoker grant on api (not the invoker account)" equals "$(members 'run services api' roles/run.invoker)" ""
check "api may look up accounts (revocations)" equals "$(members 'projects test-project' roles/firebaseauth.viewer)" serviceAccount:pixelpipe-api@test-project.iam.gserviceaccount.com
check "setup enables Identity Toolkit" equals "$(changes_like '^enable api identitytoolkit.googleapis.com$')" 1
check "api may write uploads and only read outputs" \
  equals "$(members 'storage buckets gs://test-project-pixelpipe-uploads' roles/storage.objectUser) $(members 'storage buckets gs://test-project-pixelpipe-processed' roles/storage.objectViewer)" \
  "serviceAccount:pixelpipe-api@test-project.iam.gserviceaccount.com serviceAccount:pixelpipe-api@test-project.iam.gserviceaccount.com"
check "process runs /app/bin/process" equals "$(service_field process command)" /app/bin/process
check "services take no unauthenticated calls" equals "$(service_field ingest no-allow-unauthenticated)" True
check "populate knows process's URL" equals "$(service_field populate env:PIXELPIPE_PROCESS_URL)" https://process-abcdefghij-uc.a.run.app
check "tasks carry the invoker's OIDC token" equals "$(service_field process env:TASKS_SERVICE_ACCOUNT)" pixelpipe-invoker@test-project.iam.gserviceaccount.com
check "buckets get the project prefix" equals "$(service_field ingest env:UPLOADS_BUCKET)" test-project-pixelpipe-uploads
check "the local-only DOWNLOAD_ALLOW_NETWORKS is not deployed" equals "$(service_field process env:DOWNLOAD_ALLOW_NETWORKS)" "<unset>"
check "the local-only WEBHOOK_ALLOW_NETWORKS is not deployed" equals "$(service_field teardown env:WEBHOOK_ALLOW_NETWORKS)" "<unset>"
check "the push subscription is created with OIDC and dead-lettering" \
  grep -q -- 'pubsub subscriptions create shards-populate --topic=shards --push-endpoint=https://populate-abcdefghij-uc.a.run.app/ --push-auth-service-account=pixelpipe-invoker@test-project.iam.gserviceaccount.com .*--dead-letter-topic=shards-dead-letter --max-delivery-attempts=40' "$work/deploy.out"
check "the Eventarc trigger is created on the uploads bucket" \
  grep -q -- 'eventarc triggers create csv-uploads .*--event-filters=type=google.cloud.storage.object.v1.finalized --event-filters=bucket=test-project-pixelpipe-uploads' "$work/deploy.out"
check "deploy.sh exits 0 the second time" run deploy
check "the second deploy changes nothing" equals "$(changes)" "$deployed"
check "setup.sh after deploy changes nothing" run setup
check "  (still no change)" equals "$(changes)" "$deployed"

echo "==> monitoring definitions changed in the project"
drift() {
  python3 - "$FAKE_GCLOUD_STATE/state.json" <<'EOF'
import json, sys
state = json.load(open(sys.argv[1]))
state["resources"]["logging metrics"]["pixelpipe_items"]["filter"] = "severity>=ERROR"
for policy in state["resources"]["alpha monitoring policies"].values():
    if policy["displayName"] == "PixelPipe: webhook deliveries failing":
        policy["conditions"][0]["conditionThreshold"]["thresholdValue"] = 50
json.dump(state, open(sys.argv[1], "w"))
EOF
}
drift
before_drift=$(changes)
check "setup.sh after a metric and a policy were edited in the project exits 0" run setup
check "  and puts back just those two" \
  equals "$(tail -n +"$((before_drift + 1))" "$FAKE_GCLOUD_STATE/changes.log")" "update logging metrics pixelpipe_items
update alpha monitoring policies PixelPipe: webhook deliveries failing"
check "  then a setup changes nothing" run setup
check "  (no change)" equals "$(changes)" "$((before_drift + 2))"
deployed=$(changes)

echo "==> the webhook secret"
secret=$(secret_value pixelpipe-webhook-secret)
check "setup enables Secret Manager" equals "$(changes_like '^enable api secretmanager.googleapis.com$')" 1
check "the secret holds a random value made by setup" is_hex64 "$secret"
check "two setups and two deploys created it once" equals "$(changes_like '^create secrets ') $(changes_like '^add secrets versions ')" "1 0"
check "teardown, and only teardown, may read it" \
  equals "$(members 'secrets pixelpipe-webhook-secret' roles/secretmanager.secretAccessor)" serviceAccount:pixelpipe-teardown@test-project.iam.gserviceaccount.com
check "no one may read secrets project-wide" equals "$(members 'projects test-project' roles/secretmanager.secretAccessor)" ""
check "process may read its own tasks (cloudtasks.viewer)" \
  equals "$(members 'projects test-project' roles/cloudtasks.viewer)" serviceAccount:pixelpipe-process@test-project.iam.gserviceaccount.com
check "teardown gets WEBHOOK_SECRET from Secret Manager" equals "$(service_field teardown set-secrets)" WEBHOOK_SECRET=pixelpipe-webhook-secret:latest
check "the other stages do not" equals "$(service_field process set-secrets)" "<unset>"
check "the value is in no script output" nowhere "$secret" "$work"/*.out
check "the value is in no gcloud argument list or change" nowhere "$secret" "$FAKE_GCLOUD_STATE/calls.log" "$FAKE_GCLOUD_STATE/changes.log"

echo "==> a changed setting redeploys only its service"
echo "PROCESS_MEMORY=4Gi" >>"$work/deploy.env"
check "deploy.sh with PROCESS_MEMORY=4Gi exits 0" run deploy
check "only process is deployed again" equals "$(tail -n +"$((deployed + 1))" "$FAKE_GCLOUD_STATE/changes.log")" "deploy run services process"
check "process now has 4Gi" equals "$(service_field process memory)" 4Gi
sed -i '/^PROCESS_MEMORY=/d' "$work/deploy.env"
# An env value with commas (a recipe) travels in gcloud's ^DELIMITER^ form.
sed 's/^  SHARD_ROWS: "500"$/  SHARD_ROWS: "500"\n  IMAGE_RECIPE: '"'"'{"sizes":[{"name":"s","width":64}],"formats":["jpeg","webp"]}'"'"'/' \
  infra/pipeline.yaml >"$work/pipeline.yaml"
check "deploy.sh with a recipe in the pipeline env exits 0" run deploy --pipeline "$work/pipeline.yaml"
check "the recipe arrives whole" equals "$(service_field process env:IMAGE_RECIPE)" '{"sizes":[{"name":"s","width":64}],"formats":["jpeg","webp"]}'
check "deploy.sh with the original pipeline exits 0" run deploy
printf '%s\n' 'FIREBASE_API_KEY=AIzaTestKey' 'API_SERVICE_ACCOUNTS=cron@test-project.iam.gserviceaccount.com' >>"$work/deploy.env"
check "deploy.sh with FIREBASE_API_KEY and API_SERVICE_ACCOUNTS exits 0" run deploy
check "api gets the Web API key, the allowed accounts and its own URL as their audience" \
  equals "$(service_field api env:FIREBASE_API_KEY) $(service_field api env:API_SERVICE_ACCOUNTS) $(service_field api env:API_AUDIENCE)" \
  "AIzaTestKey cron@test-project.iam.gserviceaccount.com https://api-abcdefghij-uc.a.run.app"
check "the stages do not get them" equals "$(service_field process env:FIREBASE_API_KEY) $(service_field process env:API_AUDIENCE)" "<unset> <unset>"
before_second=$(changes)
check "a second deploy with them exits 0" run deploy
check "  and changes nothing" equals "$(changes)" "$before_second"
sed -i '/^FIREBASE_API_KEY=/d; /^API_SERVICE_ACCOUNTS=/d' "$work/deploy.env"
deployed=$(changes)

echo "==> teardown twice"
check "teardown.sh exits 0" run teardown
check "teardown deletes everything setup and deploy made" equals "$(leftovers)" 0
check "  the webhook secret included" equals "$(changes_like '^delete secrets pixelpipe-webhook-secret$')" 1
removed=$(changes)
check "teardown.sh exits 0 the second time" run teardown
check "the second teardown deletes nothing" equals "$(changes)" "$removed"

echo "==> teardown --keep-data, a secret of another name"
fresh keep
cp "$work/deploy.env" "$work/keep.env"
echo "WEBHOOK_SECRET_NAME=shop-webhook-key" >>"$work/keep.env"
args=(--env-file "$work/keep.env")
check "setup.sh with WEBHOOK_SECRET_NAME exits 0" run setup
check "deploy.sh with WEBHOOK_SECRET_NAME exits 0" run deploy
kept=$(secret_value shop-webhook-key)
check "the secret has that name" is_hex64 "$kept"
check "teardown reads it" equals "$(service_field teardown set-secrets)" WEBHOOK_SECRET=shop-webhook-key:latest
check "teardown.sh --keep-data exits 0" run teardown --keep-data
check "the secret stays, with its value" equals "$(secret_value shop-webhook-key)" "$kept"
check "the teardown account's access to it is revoked" equals "$(members 'secrets shop-webhook-key' roles/secretmanager.secretAccessor)" ""
check "teardown.sh without --keep-data exits 0" run teardown
check "  and deletes the secret" equals "$(changes_like '^delete secrets shop-webhook-key$')" 1
check "  leaving nothing" equals "$(leftovers)" 0
check "the value is in no output or argument list" nowhere "$kept" "$work"/*.out "$FAKE_GCLOUD_STATE/calls.log"
args=(--env-file "$work/deploy.env")

echo "==> a secret left without a version"
fresh versionless
gcloud secrets create pixelpipe-webhook-secret --project=test-project >/dev/null
check "setup.sh exits 0" run setup
check "setup adds a version to it, and does not create it again" \
  equals "$(changes_like '^add secrets versions ') $(changes_like '^create secrets ')" "1 1"
check "  with a random value" is_hex64 "$(secret_value pixelpipe-webhook-secret)"

echo "==> a setup interrupted halfway"
half=$((first / 2))
fresh interrupted
interrupted_setup() { ! FAKE_GCLOUD_FAIL_AFTER=$half run setup; }
check "setup.sh fails when gcloud fails after $half changes" interrupted_setup
check "  (it stopped after $half changes)" equals "$(changes)" "$half"
check "teardown.sh after the interrupted setup exits 0" run teardown
check "teardown leaves nothing of the interrupted setup" equals "$(leftovers)" 0
removed=$(changes)
check "a second teardown exits 0" run teardown
check "  and deletes nothing" equals "$(changes)" "$removed"
fresh resumed
FAKE_GCLOUD_FAIL_AFTER=$half run setup || true
check "setup.sh after an interrupted setup exits 0" run setup
check "the two runs together made what one setup makes" equals "$(changes)" "$first"

echo "==> load-results"
fresh load-results
job=0123456789abcdef
check "load-results.sh --dry-run exits 0" run load-results --dry-run "$job"
check "  it prints the bq load of the job's results with the schema" \
  grep -q -- "^+ bq --project_id=test-project load --source_format=NEWLINE_DELIMITED_JSON pixelpipe.results gs://test-project-pixelpipe-processed/$job/results.ndjson .*/infra/bigquery/results-schema.json$" "$work/load-results.out"
check "  and the dataset it would create in the region" \
  grep -q -- '^+ bq --project_id=test-project mk --dataset --location=europe-west1 test-project:pixelpipe$' "$work/load-results.out"
check "  and calls bq not once" equals "$([ -f "$FAKE_GCLOUD_STATE/calls.log" ] && wc -l <"$FAKE_GCLOUD_STATE/calls.log" || echo 0)" 0
check "load-results.sh exits 0" run load-results "$job"
check "  it creates the dataset and loads the results" \
  equals "$(cat "$FAKE_GCLOUD_STATE/changes.log")" "bq mk dataset pixelpipe
bq load pixelpipe.results gs://test-project-pixelpipe-processed/$job/results.ndjson"
check "a second load exits 0" run load-results "$job"
check "  and loads again without creating the dataset again" equals "$(changes_like '^bq mk dataset') $(changes_like '^bq load')" "1 2"
check "BQ_DATASET names the dataset" bash -c "BQ_DATASET=shop infra/load-results.sh --env-file '$work/deploy.env' --dry-run $job | grep -q ' shop.results '"
refused_job() { ! run load-results --dry-run NOT-A-JOB && grep -q "16 lower-case hex digits" "$work/load-results.out"; }
check "a job id that is not 16 hex digits is refused" refused_job
check "the fake bq refuses a load into a missing dataset" bash -c '! bq --project_id=p load --source_format=NEWLINE_DELIMITED_JSON nope.results gs://b/o infra/bigquery/results-schema.json 2>/dev/null'

echo "==> the fake gcloud is strict"
fresh strict
check "a duplicate create fails" bash -c 'gcloud pubsub topics create t --project=p && ! gcloud pubsub topics create t --project=p 2>/dev/null'
check "a delete of something missing fails" bash -c '! gcloud pubsub topics delete missing --project=p 2>/dev/null'
check "a call without --project fails" bash -c '! gcloud pubsub topics describe t 2>/dev/null'
check "a duplicate secret create fails" bash -c 'printf v | gcloud secrets create s --data-file=- --project=p && ! printf w | gcloud secrets create s --data-file=- --project=p 2>/dev/null'
check "a secret value not on stdin is refused" bash -c '! gcloud secrets create t --data-file=value.txt --project=p 2>/dev/null'

echo "==> shellcheck"
if command -v shellcheck >/dev/null; then
  check "infra scripts are shellcheck-clean" shellcheck -x infra/*.sh infra/lib/*.sh infra/tests/*.sh
else
  check "shellcheck is installed (scripts/setup-system.sh installs it)" false
fi

echo "infra-scripts: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
