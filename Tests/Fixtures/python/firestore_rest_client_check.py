"""Drives the emulator's Firestore REST API with Google's own Python client.

Usage: python3 firestore_rest_client_check.py http://127.0.0.1:PORT

Uses the generated (GAPIC) client of google-cloud-firestore over its REST transport, the
same requests Google's servers get: writes, run_query (filters, order, limit, cursor), a
collection-group query, run_aggregation_query (count/sum/avg), list_collection_ids,
batch_get_documents, and transactions (a commit, and a conflicting commit that is ABORTED).
Prints one line per check; exits non-zero at the first surprise.

The REST transport takes the emulator's plain-HTTP address as it is: an `api_endpoint` that
starts with `http://` keeps its scheme (the transport adds `https://` only to a bare host).
"""

import sys

from google.api_core import exceptions
from google.api_core.client_options import ClientOptions
from google.auth.credentials import AnonymousCredentials
from google.cloud.firestore_v1.services.firestore import FirestoreClient
from google.cloud.firestore_v1.types import StructuredAggregationQuery, StructuredQuery

DATABASE = "projects/demo/databases/(default)"
ROOT = DATABASE + "/documents"
Op = StructuredQuery.FieldFilter.Operator
Direction = StructuredQuery.Direction


def check(label, actual, expected):
    if actual != expected:
        print(f"FAIL {label}: got {actual!r}, expected {expected!r}")
        sys.exit(1)
    print(f"ok {label}: {actual}")


def short(name):
    return name[len(ROOT) + 1:]


def field_filter(path, op, value):
    return {"field_filter": {"field": {"field_path": path}, "op": op, "value": value}}


def main():
    client = FirestoreClient(
        transport="rest",
        credentials=AnonymousCredentials(),
        client_options=ClientOptions(api_endpoint=sys.argv[1]),
    )

    writes = []
    for i in range(10):
        writes.append({"update": {"name": f"{ROOT}/cities/c{i}", "fields": {
            "population": {"integer_value": i * 10},
            "region": {"string_value": "north" if i % 2 == 0 else "south"},
            "score": {"double_value": i / 2},
        }}})
    for path in ["jobs/j1/items/1", "jobs/j1/items/2", "jobs/j2/items/3", "items/4"]:
        writes.append({"update": {"name": f"{ROOT}/{path}", "fields": {"n": {"integer_value": 1}}}})
    writes.append({"update": {"name": f"{ROOT}/counters/c", "fields": {"n": {"integer_value": 0}}}})
    result = client.commit(request={"database": DATABASE, "writes": writes})
    check("commit writeResults", len(result.write_results), len(writes))

    query = {
        "from_": [{"collection_id": "cities"}],
        "where": {"composite_filter": {"op": StructuredQuery.CompositeFilter.Operator.AND, "filters": [
            field_filter("region", Op.EQUAL, {"string_value": "north"}),
            field_filter("population", Op.GREATER_THAN_OR_EQUAL, {"integer_value": 20}),
        ]}},
        "order_by": [{"field": {"field_path": "population"}, "direction": Direction.DESCENDING}],
        "start_at": {"values": [{"integer_value": 80}], "before": False},
        "limit": 2,
    }
    responses = list(client.run_query(request={"parent": ROOT, "structured_query": query}))
    check("run_query", [short(r.document.name) for r in responses if r.document.name], ["cities/c6", "cities/c4"])

    in_query = {
        "from_": [{"collection_id": "cities"}],
        "where": field_filter("population", Op.IN, {"array_value": {"values": [{"integer_value": 30}, {"integer_value": 50}]}}),
    }
    responses = list(client.run_query(request={"parent": ROOT, "structured_query": in_query}))
    check("run_query IN", [short(r.document.name) for r in responses if r.document.name], ["cities/c3", "cities/c5"])

    group = {"from_": [{"collection_id": "items", "all_descendants": True}]}
    responses = list(client.run_query(request={"parent": ROOT, "structured_query": group}))
    check("collection group", [short(r.document.name) for r in responses if r.document.name],
          ["items/4", "jobs/j1/items/1", "jobs/j1/items/2", "jobs/j2/items/3"])
    responses = list(client.run_query(request={"parent": ROOT + "/jobs/j1", "structured_query": group}))
    check("collection group under jobs/j1", [short(r.document.name) for r in responses if r.document.name],
          ["jobs/j1/items/1", "jobs/j1/items/2"])

    aggregation = {
        "structured_query": {"from_": [{"collection_id": "cities"}]},
        "aggregations": [
            {"alias": "cities", "count": {}},
            {"alias": "capped", "count": {"up_to": 3}},
            {"alias": "people", "sum": {"field": {"field_path": "population"}}},
            {"alias": "mean", "avg": {"field": {"field_path": "score"}}},
        ],
    }
    responses = list(client.run_aggregation_query(request={"parent": ROOT, "structured_aggregation_query": aggregation}))
    fields = responses[0].result.aggregate_fields
    check("aggregation", (fields["cities"].integer_value, fields["capped"].integer_value,
                          fields["people"].integer_value, fields["mean"].double_value), (10, 3, 450, 2.25))

    check("list_collection_ids root", list(client.list_collection_ids(request={"parent": ROOT})), ["cities", "counters", "items", "jobs"])
    check("list_collection_ids jobs/j1", list(client.list_collection_ids(request={"parent": ROOT + "/jobs/j1"})), ["items"])

    responses = list(client.batch_get_documents(request={
        "database": DATABASE, "documents": [f"{ROOT}/cities/c1", f"{ROOT}/cities/none"], "mask": {"field_paths": ["region"]},
    }))
    found = sorted((short(r.found.name), dict(r.found.fields)["region"].string_value) for r in responses if r.found.name)
    missing = [short(r.missing) for r in responses if r.missing]
    check("batch_get_documents", (found, missing), ([("cities/c1", "south")], ["cities/none"]))

    counter = f"{ROOT}/counters/c"
    transaction = client.begin_transaction(request={"database": DATABASE}).transaction
    seen = client.get_document(request={"name": counter, "transaction": transaction}).fields["n"].integer_value
    client.commit(request={"database": DATABASE, "transaction": transaction, "writes": [
        {"update": {"name": counter, "fields": {"n": {"integer_value": seen + 1}}}}]})
    check("transaction commit", client.get_document(request={"name": counter}).fields["n"].integer_value, 1)

    first = client.begin_transaction(request={"database": DATABASE}).transaction
    second = client.begin_transaction(request={"database": DATABASE}).transaction
    read_first = list(client.batch_get_documents(request={"database": DATABASE, "documents": [counter], "transaction": first}))
    read_second = list(client.run_query(request={"parent": ROOT, "transaction": second,
                                                 "structured_query": {"from_": [{"collection_id": "counters"}]}}))
    value_first = read_first[0].found.fields["n"].integer_value
    value_second = read_second[0].document.fields["n"].integer_value
    client.commit(request={"database": DATABASE, "transaction": first, "writes": [
        {"update": {"name": counter, "fields": {"n": {"integer_value": value_first + 1}}}}]})
    try:
        client.commit(request={"database": DATABASE, "transaction": second, "writes": [
            {"update": {"name": counter, "fields": {"n": {"integer_value": value_second + 1}}}}]})
        outcome = "committed"
    except exceptions.Conflict as error:
        outcome = error.response.json()["error"]["status"]
    check("conflicting commit", outcome, "ABORTED")
    check("counter after conflict", client.get_document(request={"name": counter}).fields["n"].integer_value, 2)

    readonly = client.begin_transaction(request={"database": DATABASE, "options": {"read_only": {}}}).transaction
    client.rollback(request={"database": DATABASE, "transaction": readonly})
    try:
        client.rollback(request={"database": DATABASE, "transaction": readonly})
        outcome = "accepted"
    except exceptions.BadRequest as error:
        outcome = error.response.json()["error"]["status"]
    check("rollback of an ended transaction", outcome, "INVALID_ARGUMENT")
    print("ALL OK")


if __name__ == "__main__":
    main()
