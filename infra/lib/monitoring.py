#!/usr/bin/env python3
"""Helpers of infra/lib/monitoring.sh, over the JSON definitions in infra/monitoring/:

  same FILE            exit 0 when the resource on stdin (gcloud's JSON) already has every field
                       FILE sets, with the same values (fields the server adds are ignored)
  display-name FILE    the definition's displayName
  named DISPLAY_NAME   the resource names (`name`) of the resources on stdin (a JSON list) with
                       that displayName, one a line
"""
import json
import sys


def subset(wanted, have):
    """Whether `have` holds everything `wanted` does (dicts by key, lists element by element)."""
    if isinstance(wanted, dict):
        return isinstance(have, dict) and all(k in have and subset(v, have[k]) for k, v in wanted.items())
    if isinstance(wanted, list):
        return isinstance(have, list) and len(wanted) == len(have) and all(subset(w, h) for w, h in zip(wanted, have))
    if isinstance(wanted, (int, float)) and not isinstance(wanted, bool) and isinstance(have, (int, float, str)):
        try:
            return float(have) == float(wanted)
        except ValueError:
            return False
    return wanted == have


def main(argv):
    command = argv[0]
    if command == "same":
        wanted = json.load(open(argv[1]))
        text = sys.stdin.read().strip()
        have = json.loads(text) if text else None
        return 0 if have is not None and subset(wanted, have) else 1
    if command == "display-name":
        print(json.load(open(argv[1]))["displayName"])
        return 0
    if command == "named":
        text = sys.stdin.read().strip()
        for resource in json.loads(text) if text else []:
            if resource.get("displayName") == argv[1]:
                print(resource["name"])
        return 0
    print("unknown command %s" % command, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
