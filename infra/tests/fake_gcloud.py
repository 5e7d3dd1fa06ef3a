#!/usr/bin/env python3
"""A fake `gcloud` for infra/tests/test-scripts.sh, run by infra/tests/fake-gcloud/gcloud: the
subset setup.sh, deploy.sh and teardown.sh use, with its state in $FAKE_GCLOUD_STATE (a folder).

Stricter than gcloud where that finds bugs in the scripts: a create of something that exists
fails with ALREADY_EXISTS, an IAM binding that is already there fails too (the scripts look
before they grant), a delete of something missing fails with NOT_FOUND, and every call must
name --project. Calls that change something are appended to changes.log ("VERB KIND NAME"),
every call to calls.log. FAKE_GCLOUD_FAIL_AFTER=N makes the change after the N-th fail, as an
interrupted run would.

Monitoring: log-based metrics are named by the caller; dashboards and alert policies are named
by the fake (projects/NUMBER/dashboards/N, …/alertPolicies/N) and found by displayName with
`list --filter='displayName="…"'`. Their definitions come from files (--config-from-file,
--policy-from-file) and are checked: a distribution metric needs a value extractor and bucket
options, every label extractor a declared label, a dashboard a layout, a policy conditions. A
create of a second dashboard or policy with a displayName already in use fails, although gcloud
would make a duplicate: the scripts must look before they create.

Secret Manager: a secret's value must come on stdin (`--data-file=-`, never a file or an
argument); the values are kept apart from the resource (state["secret_values"]) so describe
does not print them, as gcloud does not.
"""

import json
import os
import sys

STATE_DIR = os.environ["FAKE_GCLOUD_STATE"]
STATE_FILE = os.path.join(STATE_DIR, "state.json")
PROJECT_NUMBER = "123456789012"

# Command paths: words before the verb.
KINDS = {
    ("iam", "service-accounts"), ("storage", "buckets"), ("pubsub", "topics"),
    ("pubsub", "subscriptions"), ("tasks", "queues"), ("firestore", "databases"),
    ("artifacts", "repositories"), ("artifacts", "docker", "images"), ("run", "services"),
    ("eventarc", "triggers"), ("services",), ("projects",), ("builds",), ("run",), ("storage",),
    ("secrets",), ("secrets", "versions"), ("firestore", "indexes", "composite"),
    ("logging", "metrics"), ("monitoring", "dashboards"), ("alpha", "monitoring", "policies"),
}


def fail(status, message, code=1):
    print("ERROR: (gcloud) %s: %s" % (status, message), file=sys.stderr)
    sys.exit(code)


def parse(argv):
    words, flags, positionals = [], {}, []
    for arg in argv:
        if arg.startswith("--"):
            key, _, value = arg[2:].partition("=")
            flags.setdefault(key, []).append(value if "=" in arg else True)
        elif not positionals and tuple(words + [arg]) in KINDS | {k[: len(words) + 1] for k in KINDS}:
            words.append(arg)
        else:
            positionals.append(arg)
    if not positionals:
        fail("INVALID_ARGUMENT", "no command: %s" % " ".join(argv), 2)
    return tuple(words), positionals[0], positionals[1:], flags


def flag(flags, key, default=None):
    return flags.get(key, [default])[-1]


def load():
    if os.path.exists(STATE_FILE):
        with open(STATE_FILE) as handle:
            return json.load(handle)
    return {"resources": {}, "policies": {}, "enabled": []}


def save(state):
    with open(STATE_FILE, "w") as handle:
        json.dump(state, handle, indent=1, sort_keys=True)


def log(name, line):
    with open(os.path.join(STATE_DIR, name), "a") as handle:
        handle.write(line + "\n")


def record_change(verb, kind, name):
    """Logs a change, or fails it when FAKE_GCLOUD_FAIL_AFTER changes were made already."""
    path = os.path.join(STATE_DIR, "changes.log")
    done = sum(1 for _ in open(path)) if os.path.exists(path) else 0
    limit = os.environ.get("FAKE_GCLOUD_FAIL_AFTER")
    if limit is not None and done >= int(limit):
        fail("UNAVAILABLE", "injected failure after %s changes" % limit)
    log("changes.log", "%s %s %s" % (verb, kind, name))


def value_of(resource, path):
    value = resource
    for key in path.split("."):
        value = value.get(key) if isinstance(value, dict) else None
    return "" if value is None else value


def show(resource, flags):
    form = flag(flags, "format", "json")
    if form.startswith("value(") and form.endswith(")"):
        print("\t".join(str(value_of(resource, p.strip())) for p in form[6:-1].split(",")))
    else:
        print(json.dumps(resource, indent=1))


def env_vars(text):
    """--set-env-vars / --update-env-vars, with gcloud's ^DELIM^ escape."""
    delimiter = ","
    if text.startswith("^"):
        delimiter, text = text[1:].split("^", 1)
    return dict(item.split("=", 1) for item in text.split(delimiter) if item)


def secret_value(flags):
    """The value of `--data-file=-`, read from stdin; anything else is refused."""
    if flag(flags, "data-file") != "-":
        fail("INVALID_ARGUMENT", "the scripts must pass a secret's value on stdin (--data-file=-)", 2)
    value = sys.stdin.read()
    if not value:
        fail("INVALID_ARGUMENT", "empty secret value on stdin")
    return value


def secrets_call(state, verb, name, flags):
    """secrets create/versions list/versions add; describe, delete and IAM are the generic ones."""
    resources = state["resources"].setdefault("secrets", {})
    values = state.setdefault("secret_values", {})
    if verb == "create":
        if name in resources:
            fail("ALREADY_EXISTS", "secrets [%s] already exists" % name)
        value = secret_value(flags) if flag(flags, "data-file") is not None else None
        record_change("create", "secrets", name)
        resources[name] = {"name": name, "replication": flag(flags, "replication-policy", "automatic"), "versions": []}
        values[name] = []
        if value is not None:
            resources[name]["versions"].append({"name": "1", "state": "ENABLED"})
            values[name].append(value)
        return
    if name not in resources:
        fail("NOT_FOUND", "secrets [%s] not found" % name)
    if verb == "add":
        value = secret_value(flags)
        record_change("add", "secrets versions", name)
        resources[name]["versions"].append({"name": str(len(values[name]) + 1), "state": "ENABLED"})
        values[name].append(value)
    elif verb == "list":
        if flag(flags, "filter") not in (None, "state:enabled"):
            fail("INVALID_ARGUMENT", "the fake gcloud knows only --filter=state:enabled")
        versions = [v for v in resources[name]["versions"] if v["state"] == "ENABLED"]
        for version in versions[: int(flag(flags, "limit", len(versions)))]:
            show(version, flags)


def indexes_call(state, verb, flags):
    """firestore indexes composite list/create: an index is its collection group and fields;
    creating one that exists fails, as gcloud's does."""
    indexes = state["resources"].setdefault("firestore indexes composite", {})
    database = flag(flags, "database", "(default)")
    if verb == "list":
        print(json.dumps([index for index in indexes.values() if index["database"] == database], indent=1))
        return
    if verb != "create":
        fail("INVALID_ARGUMENT", "the fake gcloud knows only list and create of composite indexes", 2)
    fields = []
    for config in flags.get("field-config", []):
        parts = dict(item.split("=", 1) for item in config.split(","))
        fields.append({"fieldPath": parts["field-path"], "order": parts["order"].upper()})
    group = flag(flags, "collection-group")
    key = "%s %s %s" % (database, group, " ".join("%s:%s" % (f["fieldPath"], f["order"]) for f in fields))
    if key in indexes:
        fail("ALREADY_EXISTS", "index already exists: %s" % key)
    record_change("create", "firestore indexes composite", key)
    indexes[key] = {
        "name": "projects/p/databases/%s/collectionGroups/%s/indexes/CICAg%d" % (database, group, len(indexes) + 1),
        "database": database, "queryScope": flag(flags, "query-scope", "COLLECTION"),
        "fields": fields + [{"fieldPath": "__name__", "order": fields[-1]["order"] if fields else "ASCENDING"}],
        "state": "READY",
    }


def definition(flags, key):
    """The JSON (or YAML) definition named by --KEY=FILE."""
    path = flag(flags, key)
    if not path or path is True:
        fail("INVALID_ARGUMENT", "--%s=FILE is required" % key, 2)
    try:
        with open(path) as handle:
            text = handle.read()
    except OSError as error:
        fail("INVALID_ARGUMENT", "cannot read %s: %s" % (path, error), 2)
    try:
        return json.loads(text)
    except ValueError:
        import yaml
        return yaml.safe_load(text)


def check_metric(name, config):
    if not config.get("filter"):
        fail("INVALID_ARGUMENT", "log-based metric %s has no filter" % name)
    descriptor = config.get("metricDescriptor", {})
    declared = {label["key"] for label in descriptor.get("labels", [])}
    for key in config.get("labelExtractors", {}):
        if key not in declared:
            fail("INVALID_ARGUMENT", "metric %s extracts label %s that its descriptor does not declare" % (name, key))
    if descriptor.get("valueType") == "DISTRIBUTION" and not (config.get("valueExtractor") and config.get("bucketOptions")):
        fail("INVALID_ARGUMENT", "distribution metric %s needs a valueExtractor and bucketOptions" % name)


def check_monitoring(kind, config):
    if not config.get("displayName"):
        fail("INVALID_ARGUMENT", "%s definition has no displayName" % kind)
    if kind == "monitoring dashboards" and not any(k in config for k in ("mosaicLayout", "gridLayout", "rowLayout", "columnLayout")):
        fail("INVALID_ARGUMENT", "dashboard %s has no layout" % config["displayName"])
    if kind == "alpha monitoring policies":
        if not config.get("conditions") or config.get("combiner") not in ("AND", "OR", "AND_WITH_MATCHING_RESOURCE"):
            fail("INVALID_ARGUMENT", "policy %s needs conditions and a combiner" % config["displayName"])
        for condition in config["conditions"]:
            if "filter" not in condition.get("conditionThreshold", condition.get("conditionAbsent", {})):
                fail("INVALID_ARGUMENT", "a condition of policy %s has no filter" % config["displayName"])


def monitoring_call(state, kind, verb, rest, flags):
    """logging metrics (named by the caller), monitoring dashboards and alpha monitoring
    policies (named here, found by displayName)."""
    resources = state["resources"].setdefault(kind, {})
    if verb == "list":
        wanted = flag(flags, "filter")
        items = list(resources.values())
        if wanted:
            prefix = 'displayName="'
            if not (wanted.startswith(prefix) and wanted.endswith('"')):
                fail("INVALID_ARGUMENT", "the fake gcloud knows only --filter='displayName=\"…\"'", 2)
            items = [item for item in items if item.get("displayName") == wanted[len(prefix):-1]]
        print(json.dumps(items, indent=1))
        return
    if kind == "logging metrics":
        if not rest:
            fail("INVALID_ARGUMENT", "logging metrics %s needs a metric name" % verb, 2)
        name = rest[0]
        if verb == "create":
            if name in resources:
                fail("ALREADY_EXISTS", "metric [%s] already exists" % name)
            config = definition(flags, "config-from-file") if flag(flags, "config-from-file") else {
                "description": flag(flags, "description", ""), "filter": flag(flags, "log-filter")}
            config["name"] = name
            check_metric(name, config)
            record_change("create", kind, name)
            resources[name] = config
            return
    else:
        key = "config-from-file" if kind == "monitoring dashboards" else "policy-from-file"
        if verb == "create":
            config = definition(flags, key)
            check_monitoring(kind, config)
            if any(item.get("displayName") == config["displayName"] for item in resources.values()):
                fail("ALREADY_EXISTS", "%s named %s already exists (look before creating)" % (kind, config["displayName"]))
            collection = "dashboards" if kind == "monitoring dashboards" else "alertPolicies"
            number = state.setdefault("next_number", 1)
            state["next_number"] = number + 1
            name = "projects/%s/%s/%d" % (PROJECT_NUMBER, collection, number)
            config["name"] = name
            config["etag"] = "e%d" % number
            record_change("create", kind, config["displayName"])
            resources[name] = config
            return
        if not rest:
            fail("INVALID_ARGUMENT", "%s %s needs a name" % (kind, verb), 2)
        name = rest[0]
    if name not in resources:
        fail("NOT_FOUND", "%s [%s] not found" % (kind, name))
    if verb == "describe":
        show(resources[name], flags)
    elif verb == "update":
        if kind == "logging metrics":
            config = definition(flags, "config-from-file")
            config["name"] = name
            check_metric(name, config)
        else:
            config = definition(flags, "config-from-file" if kind == "monitoring dashboards" else "policy-from-file")
            check_monitoring(kind, config)
            config["name"] = name
        record_change("update", kind, resources[name].get("displayName", name))
        resources[name] = config
    elif verb == "delete":
        record_change("delete", kind, resources[name].get("displayName", name))
        del resources[name]
    else:
        fail("INVALID_ARGUMENT", "the fake gcloud does not know %s %s" % (kind, verb), 2)


def main(argv):
    state = load()
    log("calls.log", " ".join(argv))
    words, verb, rest, flags = parse(argv)
    project = flag(flags, "project")
    if not project or project is True:
        fail("INVALID_ARGUMENT", "every call must name --project (the scripts never rely on gcloud config)", 2)
    kind = " ".join(words)
    resources = state["resources"].setdefault(kind, {})

    # Names: the first positional; Firestore names its database with --database; a service
    # account is created by id and named by email afterwards.
    name = rest[0] if rest else flag(flags, "database", "(default)")
    if kind == "iam service-accounts" and verb == "create":
        name = "%s@%s.iam.gserviceaccount.com" % (name, project)

    if kind == "firestore indexes composite":
        indexes_call(state, verb, flags)
    elif kind in ("logging metrics", "monitoring dashboards", "alpha monitoring policies"):
        monitoring_call(state, kind, verb, rest, flags)
    elif (kind == "secrets" and verb == "create") or (kind == "secrets versions" and verb in ("add", "list")):
        secrets_call(state, verb, name, flags)
    elif kind == "services" and verb == "list":
        print("\n".join(state["enabled"]))
    elif kind == "services" and verb == "enable":
        for api in rest:
            if api in state["enabled"]:
                fail("ALREADY_EXISTS", "API %s is already enabled" % api)
            record_change("enable", "api", api)
            state["enabled"].append(api)
    elif kind == "projects" and verb == "describe":
        show({"projectId": project, "projectNumber": PROJECT_NUMBER}, flags)
    elif kind == "storage" and verb == "service-agent":
        print("service-%s@gs-project-accounts.iam.gserviceaccount.com" % PROJECT_NUMBER)
    elif verb == "get-iam-policy":
        target = "%s %s" % (kind, name)
        show({"bindings": [{"role": r, "members": m} for r, m in sorted(state["policies"].get(target, {}).items())], "etag": "BwX="}, flags)
    elif verb in ("add-iam-policy-binding", "remove-iam-policy-binding"):
        target = "%s %s" % (kind, name)
        if kind != "projects" and name not in resources:
            fail("NOT_FOUND", "%s %s does not exist" % (kind, name))
        role, member = flag(flags, "role"), flag(flags, "member")
        members = state["policies"].setdefault(target, {}).setdefault(role, [])
        if verb.startswith("add"):
            if member in members:
                fail("ALREADY_EXISTS", "%s already has %s on %s (look before granting)" % (member, role, target))
            record_change("grant", kind, "%s %s %s" % (name, role, member))
            members.append(member)
        else:
            if member not in members:
                fail("NOT_FOUND", "%s does not have %s on %s" % (member, role, target))
            record_change("revoke", kind, "%s %s %s" % (name, role, member))
            members.remove(member)
    elif verb == "describe":
        if name not in resources:
            fail("NOT_FOUND", "%s [%s] not found" % (kind, name))
        show(resources[name], flags)
    elif verb == "create":
        if name in resources:
            fail("ALREADY_EXISTS", "%s [%s] already exists" % (kind, name))
        record_change("create", kind, name)
        resources[name] = {"name": name, "flags": flags}
    elif verb == "delete" or (kind == "storage" and verb == "rm"):
        if kind == "storage":
            kind, resources = "storage buckets", state["resources"].setdefault("storage buckets", {})
        if name not in resources:
            fail("NOT_FOUND", "%s [%s] not found" % (kind, name))
        record_change("delete", kind, name)
        del resources[name]
        if kind == "firestore databases":
            indexes = state["resources"].get("firestore indexes composite", {})
            for key in [k for k, index in indexes.items() if index["database"] == name]:
                del indexes[key]
        for target in [t for t in state["policies"] if t == "%s %s" % (kind, name)]:
            del state["policies"][target]
    elif kind == "builds" and verb == "submit":
        image = env_vars(flag(flags, "substitutions"))["_IMAGE"]
        record_change("build", "image", image)
        state["resources"].setdefault("artifacts docker images", {})[image] = {"name": image}
    elif kind == "run" and verb == "deploy":
        record_change("deploy", "run services", name)
        labels = env_vars(flag(flags, "labels", ""))
        resources = state["resources"].setdefault("run services", {})
        resources[name] = {
            "name": name, "flags": flags, "env": env_vars(flag(flags, "set-env-vars", "")),
            "metadata": {"labels": labels},
            "status": {"url": "https://%s-abcdefghij-uc.a.run.app" % name},
        }
    elif kind == "run services" and verb == "update":
        if name not in resources:
            fail("NOT_FOUND", "run services [%s] not found" % name)
        record_change("update", kind, name)
        resources[name]["env"].update(env_vars(flag(flags, "update-env-vars", "")))
        resources[name]["metadata"]["labels"].update(env_vars(flag(flags, "update-labels", "")))
    else:
        fail("INVALID_ARGUMENT", "the fake gcloud does not know: %s" % " ".join(argv), 2)
    if verb not in ("describe", "list", "get-iam-policy", "service-agent"):
        save(state)
    if kind == "secrets" and verb == "delete":
        state.get("secret_values", {}).pop(name, None)
        save(state)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
