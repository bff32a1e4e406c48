#!/usr/bin/env python3
"""Regenerates tests/integration/openapi/x-api-v2-responses.json: the part of X's OpenAPI
document that describes the responses of the endpoints Sluice serves (their paths, every
method, only `responses`, `security` and `requestBody`), every component schema those responses reach
through $ref, and the security schemes (the OAuth 2.0 scopes: tests/core/scopes_test.cc).

X's full document (858 KB, under the X Developer Agreement, not an open licence) is not in
the repository; tests/integration/node/openapi.test.mjs validates recorded responses against
this extract. Run after updating the document:
  python3 scripts/x_openapi_responses.py ../shared/reference/x-api-v2-openapi.json \
    > tests/integration/openapi/x-api-v2-responses.json
"""
import json
import sys

# The paths Sluice serves that X also has (src/core/routes.h), in X's template spelling.
PATHS = [
    "/2/tweets/{id}", "/2/tweets", "/2/tweets/search/recent", "/2/tweets/counts/recent",
    "/2/tweets/{id}/quote_tweets", "/2/users/{id}", "/2/users", "/2/users/by/username/{username}",
    "/2/users/by", "/2/users/{id}/tweets", "/2/users/{id}/mentions", "/2/usage/tweets",
    "/2/tweets/search/all", "/2/tweets/counts/all", "/2/tweets/{id}/retweeted_by",
    "/2/tweets/{id}/retweets", "/2/tweets/{id}/liking_users", "/2/users/{id}/liked_tweets",
    "/2/users/{id}/followers", "/2/users/{id}/following", "/2/users/search", "/2/users/me",
    # Writes on behalf of an account (issue 15).
    "/2/users/{id}/likes", "/2/users/{id}/likes/{tweet_id}", "/2/users/{id}/retweets",
    "/2/users/{id}/retweets/{source_tweet_id}", "/2/tweets/{tweet_id}/hidden",
    "/2/users/{source_user_id}/following/{target_user_id}",
    # Streams (issue 16).
    "/2/tweets/search/stream", "/2/tweets/sample/stream", "/2/tweets/compliance/stream", "/2/users/compliance/stream",
    # The filtered stream's rules (issue 16).
    "/2/tweets/search/stream/rules", "/2/tweets/search/stream/rules/counts",
    # Batch compliance jobs (issue 16).
    "/2/compliance/jobs", "/2/compliance/jobs/{id}",
]
METHODS = ["get", "post", "put", "delete", "patch"]


def refs(node, out):
    if isinstance(node, dict):
        for k, v in node.items():
            if k == "$ref" and isinstance(v, str):
                out.add(v)
            else:
                refs(v, out)
    elif isinstance(node, list):
        for v in node:
            refs(v, out)


def main():
    doc = json.load(open(sys.argv[1]))
    paths = {}
    for path in PATHS:
        item = doc["paths"].get(path)
        if item is None:
            continue
        paths[path] = {m: {"responses": item[m]["responses"], "security": item[m].get("security", [])}
                          | ({"requestBody": item[m]["requestBody"]} if "requestBody" in item[m] else {})
                       for m in METHODS if m in item}
    components = {}
    pending = set()
    refs(paths, pending)
    seen = set()
    while pending:
        ref = pending.pop()
        if ref in seen:
            continue
        seen.add(ref)
        _, _, kind, name = ref.split("/")  # "#/components/<kind>/<name>"
        node = doc["components"][kind][name]
        components.setdefault(kind, {})[name] = node
        refs(node, pending)
    out = {
        "openapi": doc["openapi"],
        "info": {
            "title": doc["info"]["title"] + " (responses of the endpoints Sluice serves)",
            "version": doc["info"]["version"],
            "x-generated-by": "scripts/x_openapi_responses.py; do not edit",
        },
        "paths": paths,
        "components": {k: dict(sorted(v.items())) for k, v in sorted(components.items())}
        | {"securitySchemes": doc["components"]["securitySchemes"]},
    }
    json.dump(out, sys.stdout, indent=1, sort_keys=False)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
