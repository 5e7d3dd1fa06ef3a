# shellcheck shell=bash
# Monitoring in Google Cloud, for infra/setup.sh and infra/teardown.sh (sourced after
# lib/common.sh): the log-based metrics read from the stages' structured log lines
# (infra/monitoring/metrics/NAME.json), the dashboard (infra/monitoring/dashboard.json) and the
# alert policies (infra/monitoring/policies/*.json). docs/observability.md lists them and the
# log fields they read.
#
# Idempotent like the rest: a metric is looked up by name, the dashboard and each policy by
# display name (Monitoring names them itself); what is missing is created, what differs from
# its file is updated, what matches is left alone. Alert policies are in gcloud's alpha group.

MONITORING_DIR=$INFRA_DIR/monitoring
POLICIES=(alpha monitoring policies)
APIS+=(logging.googleapis.com monitoring.googleapis.com)

monitoring_py() { "$PYTHON" "$INFRA_DIR/lib/monitoring.py" "$@"; }

# The resource names of KIND (`monitoring dashboards` or the policies' words) with DISPLAY_NAME;
# none in a dry run.
named() {
  local display=$1
  shift
  $DRY_RUN && return 0
  local listed
  listed=$(look "$@" list --filter="displayName=\"$display\"" --format=json) \
    || die "cannot list $* of $PROJECT_ID (is monitoring.googleapis.com enabled, and may you read it?)"
  monitoring_py named "$display" <<<"$listed"
}

# Creates or updates the log-based metrics, the dashboard and the alert policies.
ensure_monitoring() {
  local file name display existing
  echo "==> log-based metrics"
  for file in "$MONITORING_DIR"/metrics/*.json; do
    name=$(basename "$file" .json)
    if absent logging metrics describe "$name"; then
      change logging metrics create "$name" --config-from-file="$file"
    elif ! look logging metrics describe "$name" --format=json | monitoring_py same "$file"; then
      change logging metrics update "$name" --config-from-file="$file"
    fi
  done

  echo "==> monitoring dashboard"
  file=$MONITORING_DIR/dashboard.json
  display=$(monitoring_py display-name "$file")
  existing=$(named "$display" monitoring dashboards | head -n 1)
  if [ -z "$existing" ]; then
    change monitoring dashboards create --config-from-file="$file"
  elif ! look monitoring dashboards describe "$existing" --format=json | monitoring_py same "$file"; then
    change monitoring dashboards update "$existing" --config-from-file="$file"
  fi

  echo "==> alert policies"
  for file in "$MONITORING_DIR"/policies/*.json; do
    display=$(monitoring_py display-name "$file")
    existing=$(named "$display" "${POLICIES[@]}" | head -n 1)
    if [ -z "$existing" ]; then
      change "${POLICIES[@]}" create --policy-from-file="$file"
    elif ! look "${POLICIES[@]}" describe "$existing" --format=json | monitoring_py same "$file"; then
      change "${POLICIES[@]}" update "$existing" --policy-from-file="$file"
    fi
  done
}

# Deletes the alert policies, the dashboard and the log-based metrics (a dry run prints the
# deletes with placeholder names for what Monitoring names itself).
remove_monitoring() {
  local file name display
  echo "==> alert policies"
  for file in "$MONITORING_DIR"/policies/*.json; do
    display=$(monitoring_py display-name "$file")
    if $DRY_RUN; then
      change "${POLICIES[@]}" delete "POLICY_NAMED_$(basename "$file" .json)"
      continue
    fi
    for name in $(named "$display" "${POLICIES[@]}"); do change "${POLICIES[@]}" delete "$name"; done
  done

  echo "==> monitoring dashboard"
  display=$(monitoring_py display-name "$MONITORING_DIR/dashboard.json")
  if $DRY_RUN; then
    change monitoring dashboards delete DASHBOARD_NAMED_PixelPipe
  else
    for name in $(named "$display" monitoring dashboards); do change monitoring dashboards delete "$name"; done
  fi

  echo "==> log-based metrics"
  for file in "$MONITORING_DIR"/metrics/*.json; do
    name=$(basename "$file" .json)
    if present logging metrics describe "$name"; then change logging metrics delete "$name"; fi
  done
}
