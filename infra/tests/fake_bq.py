#!/usr/bin/env python3
"""A fake `bq` for infra/tests/test-scripts.sh: the subset infra/load-results.sh uses (`show
--dataset`, `mk --dataset`, `load`), with its state next to the fake gcloud's in
$FAKE_GCLOUD_STATE. Strict where that finds bugs: every call names --project_id, a dataset is
created once, and a load needs NEWLINE_DELIMITED_JSON, an existing dataset, a gs:// source and
a schema file that is a JSON list of fields with a name and a BigQuery type. Every call goes
to calls.log, every change to changes.log ("bq mk dataset NAME", "bq load TABLE URI").
"""

import json
import os
import sys

STATE_DIR = os.environ["FAKE_GCLOUD_STATE"]
STATE_FILE = os.path.join(STATE_DIR, "bq.json")
TYPES = {"STRING", "INTEGER", "INT64", "FLOAT", "FLOAT64", "NUMERIC", "BOOLEAN", "BOOL", "TIMESTAMP", "DATE", "RECORD", "STRUCT", "JSON"}


def fail(message):
    print("BigQuery error: %s" % message, file=sys.stderr)
    sys.exit(1)


def log(name, line):
    with open(os.path.join(STATE_DIR, name), "a") as handle:
        handle.write(line + "\n")


def check_fields(fields, where):
    if not isinstance(fields, list) or not fields:
        fail("schema %s: expected a non-empty list of fields" % where)
    for field in fields:
        if not isinstance(field, dict) or not field.get("name") or field.get("type", "").upper() not in TYPES:
            fail("schema %s: bad field %r" % (where, field))
        if field["type"].upper() in ("RECORD", "STRUCT"):
            check_fields(field.get("fields"), where + "." + field["name"])


def main(argv):
    log("calls.log", "bq " + " ".join(argv))
    project = None
    rest = []
    for arg in argv:
        if arg.startswith("--project_id="):
            project = arg.split("=", 1)[1]
        else:
            rest.append(arg)
    if not project:
        fail("no --project_id")
    if not rest:
        fail("no command")
    state = json.load(open(STATE_FILE)) if os.path.exists(STATE_FILE) else {"datasets": [], "loads": []}
    command, args = rest[0], rest[1:]
    positionals = [a for a in args if not a.startswith("--")]
    flags = [a for a in args if a.startswith("--")]
    if command == "show" and "--dataset" in flags:
        name = positionals[0].split(":")[-1]
        if name not in state["datasets"]:
            fail("Not found: Dataset %s:%s" % (project, name))
        print(json.dumps({"datasetReference": {"projectId": project, "datasetId": name}}))
        return
    if command == "mk" and "--dataset" in flags:
        name = positionals[0].split(":")[-1]
        if name in state["datasets"]:
            fail("Dataset '%s:%s' already exists." % (project, name))
        state["datasets"].append(name)
        log("changes.log", "bq mk dataset " + name)
    elif command == "load":
        if "--source_format=NEWLINE_DELIMITED_JSON" not in flags:
            fail("load: expected --source_format=NEWLINE_DELIMITED_JSON, got %s" % flags)
        if len(positionals) != 3:
            fail("load: expected TABLE SOURCE SCHEMA, got %s" % positionals)
        table, source, schema = positionals
        dataset = table.split(":")[-1].split(".")[0]
        if dataset not in state["datasets"]:
            fail("Not found: Dataset %s:%s" % (project, dataset))
        if not source.startswith("gs://"):
            fail("load: the source must be a gs:// URI, not %s" % source)
        check_fields(json.load(open(schema)), "")
        state["loads"].append({"table": table, "source": source})
        log("changes.log", "bq load %s %s" % (table, source))
    else:
        fail("unsupported command: %s" % " ".join(rest))
    json.dump(state, open(STATE_FILE, "w"))


main(sys.argv[1:])
