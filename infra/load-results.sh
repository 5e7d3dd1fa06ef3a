#!/usr/bin/env bash
# Loads one finalized job's results into BigQuery: `bq load` of JOB/results.ndjson (one JSON
# line per item, written by teardown to the processed bucket) into DATASET.results, with the
# table schema infra/bigquery/results-schema.json. The dataset is created first when it does
# not exist, in the region (BigQuery loads from a bucket in the dataset's location).
#
#   infra/load-results.sh [--dry-run] [--env-file FILE] … JOB
#
# Settings (env file): BQ_DATASET (default pixelpipe), BQ_TABLE (default results); project,
# region and the processed bucket as for setup.sh. Each load appends: a job retried and
# finalized again writes new results, and loading them too adds every item again (the
# `recordedAt` and `status` columns tell the runs apart).
set -euo pipefail
# shellcheck source=infra/lib/common.sh
source "$(dirname "$0")/lib/common.sh"
EXTRA_USAGE=" JOB"
parse_args "$@"
((${#EXTRA_ARGS[@]} == 1)) || { usage >&2; exit 2; }
job=${EXTRA_ARGS[0]}
[[ $job =~ ^[0-9a-f]{16}$ ]] || die "JOB must be a job id of 16 lower-case hex digits, not '$job'"
load_settings
BQ=${BQ:-bq}
dataset=${BQ_DATASET:-pixelpipe}
table=${BQ_TABLE:-results}
processed=${PIPELINE_ENV[PROCESSED_BUCKET]:-}
[ -n "$processed" ] || die "the pipeline file $PIPELINE_FILE sets no PROCESSED_BUCKET"
schema=$INFRA_DIR/bigquery/results-schema.json

# `+ bq ARGS…` printed, then run unless --dry-run.
bq_change() {
  local text="+ $BQ --project_id=$PROJECT_ID" arg
  for arg in "$@"; do text+=" $(printf '%q' "$arg")"; done
  echo "$text"
  $DRY_RUN && return 0
  "$BQ" --project_id="$PROJECT_ID" "$@" >/dev/null
}

echo "==> BigQuery dataset $dataset"
if $DRY_RUN || ! "$BQ" --project_id="$PROJECT_ID" show --dataset "$PROJECT_ID:$dataset" >/dev/null 2>&1; then
  bq_change mk --dataset --location="$REGION" "$PROJECT_ID:$dataset"
fi

echo "==> load gs://$processed/$job/results.ndjson"
bq_change load --source_format=NEWLINE_DELIMITED_JSON "$dataset.$table" "gs://$processed/$job/results.ndjson" "$schema"
