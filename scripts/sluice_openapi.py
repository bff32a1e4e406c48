#!/usr/bin/env python3
"""Generates docs/openapi.json: Sluice's own OpenAPI 3 document, served at GET /2/openapi.json
(compiled into the binary by src/api/CMakeLists.txt).

It describes every API and public route of the route table (src/core/routes.h, read here, so a
route added there is described once this script is run again):
  - X's endpoints with X's response schemas, from tests/integration/openapi/x-api-v2-responses.json
    (the extract of X's document made by scripts/x_openapi_responses.py); their error responses
    also admit the problems Sluice sends that X's document leaves out (about:blank,
    client-forbidden, usage-capped, unsupported-authentication) and Sluice's own 402 credits-exhausted;
  - Sluice's own routes (the licence terms, this document) and extension fields, from SLUICE
    below.
Query parameters are those each handler accepts (QUERY below; a route not listed there gets
none, and a route X does not have needs an entry in SLUICE).

  python3 scripts/sluice_openapi.py > docs/openapi.json   # regenerate
  python3 scripts/sluice_openapi.py --check               # exit 1 when docs/openapi.json is stale
"""
import copy
import json
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ROUTES_H = os.path.join(ROOT, "src", "core", "routes.h")
X_EXTRACT = os.path.join(ROOT, "tests", "integration", "openapi", "x-api-v2-responses.json")
OUTPUT = os.path.join(ROOT, "docs", "openapi.json")

FIELDS = ["tweet.fields", "post.fields", "user.fields", "expansions", "media.fields", "place.fields", "poll.fields"]
USER_FIELDS = ["user.fields", "expansions", "tweet.fields", "post.fields"]
WINDOW = ["since_id", "until_id", "start_time", "end_time"]
TIMELINE = ["max_results", "pagination_token"] + WINDOW + ["exclude"] + FIELDS
SEARCH = ["query", "max_results", "next_token", "pagination_token"] + WINDOW + ["sort_order"] + FIELDS
GRAPH_USERS = ["max_results", "pagination_token"] + USER_FIELDS
GRAPH_POSTS = ["max_results", "pagination_token"] + FIELDS
COUNTS = ["query", "granularity"] + WINDOW + ["next_token", "pagination_token", "search_count.fields"]

# The query parameters each route's handler accepts (src/api/*.cc, Params::CheckAllowed).
QUERY = {
    "GET /2/tweets/search/recent": SEARCH,
    "GET /2/tweets/counts/recent": COUNTS,
    "GET /2/tweets": ["ids"] + FIELDS,
    "GET /2/tweets/:id": FIELDS,
    "GET /2/tweets/:id/quote_tweets": TIMELINE,
    "GET /2/users": ["ids"] + USER_FIELDS,
    "GET /2/users/by": ["usernames"] + USER_FIELDS,
    "GET /2/users/by/username/:username": USER_FIELDS,
    "GET /2/users/:id": USER_FIELDS,
    "GET /2/users/:id/tweets": TIMELINE,
    "GET /2/users/:id/mentions": TIMELINE,
    "GET /2/usage/tweets": ["days", "usage.fields"],
    "GET /2/tweets/search/all": SEARCH,
    "GET /2/tweets/counts/all": COUNTS,
    "GET /2/users/search": ["query", "max_results", "next_token", "pagination_token"] + USER_FIELDS,
    "GET /2/tweets/:id/retweeted_by": GRAPH_USERS,
    "GET /2/tweets/:id/retweets": GRAPH_POSTS,
    "GET /2/tweets/:id/liking_users": GRAPH_USERS,
    "GET /2/users/:id/liked_tweets": GRAPH_POSTS,
    "GET /2/users/:id/followers": GRAPH_USERS,
    "GET /2/users/:id/following": GRAPH_USERS,
    "GET /2/license/:plan": ["format"],
    "GET /2/tweets/search/stream": ["backfill_minutes"] + FIELDS,
    "GET /2/tweets/sample/stream": ["backfill_minutes"] + FIELDS,
    "GET /2/tweets/compliance/stream": ["partition"],
    "GET /2/users/compliance/stream": ["partition"],
    "POST /2/tweets/search/stream/rules": ["dry_run", "delete_all"],
    "GET /2/tweets/search/stream/rules": ["ids", "max_results", "pagination_token"],
    "GET /2/tweets/search/stream/rules/counts": ["rules_count.fields"],
    "POST /2/compliance/jobs": ["compliance_job.fields"],
    "GET /2/compliance/jobs": ["type", "status", "compliance_job.fields"],
    "GET /2/compliance/jobs/:id": ["compliance_job.fields"],
    "PUT /compliance/upload/:token": ["upload_id"],
}
REQUIRED = {"query", "ids", "usernames", "type", "partition"}
NOT_REQUIRED = {"GET /2/tweets/search/stream/rules": {"ids"}}  # optional there, unlike elsewhere
INTEGER = {"max_results", "days", "backfill_minutes", "partition"}
BOOLEAN = {"dry_run", "delete_all"}

# Problems Sluice sends that X's document's Problem union leaves out, and Sluice's own.
PROBLEM = {"type": "string"}
SLUICE_SCHEMAS = {
    "SluiceHttpProblem": {
        "description": "A plain HTTP error (401, 405, 413, 415, 429 rate limit, 431), as X sends them.",
        "type": "object", "required": ["type", "title", "detail"],
        "properties": {"type": {"type": "string", "enum": ["about:blank"]}, "title": PROBLEM, "detail": PROBLEM,
                       "status": {"type": "integer"}},
    },
    "SluiceClientForbiddenProblem": {
        "description": "403: the plan lacks the endpoint (reason client-not-enrolled) or does not license a "
                       "declared use (reason use-not-licensed).",
        "type": "object", "required": ["type", "title", "detail", "reason"],
        "properties": {"type": {"type": "string", "enum": ["https://api.x.com/2/problems/client-forbidden"]},
                       "title": PROBLEM, "detail": PROBLEM, "status": {"type": "integer"},
                       "reason": {"type": "string", "enum": ["client-not-enrolled", "use-not-licensed"]},
                       "required_enrollment": PROBLEM},
    },
    "SluiceUsageCappedProblem": {
        "description": "429: the project's monthly post cap is reached (X's UsageCapExceeded).",
        "type": "object", "required": ["type", "title", "detail", "period", "scope"],
        "properties": {"type": {"type": "string", "enum": ["https://api.x.com/2/problems/usage-capped"]},
                       "title": PROBLEM, "detail": PROBLEM, "status": {"type": "integer"},
                       "period": PROBLEM, "scope": PROBLEM},
    },
    "SluiceUnsupportedAuthenticationProblem": {
        "description": "403: the kind of token (app-only, user context) is not one the endpoint takes, as X answers.",
        "type": "object", "required": ["type", "title", "detail"],
        "properties": {"type": {"type": "string", "enum": ["https://api.x.com/2/problems/unsupported-authentication"]},
                       "title": PROBLEM, "detail": PROBLEM, "status": {"type": "integer"}},
    },
    "SluiceCreditsExhaustedProblem": {
        "description": "402 (Sluice's own): the pay-per-use balance cannot cover the response.",
        "type": "object", "required": ["type", "title", "detail", "balance_usd", "price_usd"],
        "properties": {"type": {"type": "string", "enum": ["https://api.x.com/2/problems/credits-exhausted"]},
                       "title": PROBLEM, "detail": PROBLEM, "status": {"type": "integer"},
                       "balance_usd": {"type": "string", "pattern": "^[0-9]+\\.[0-9]+$"},
                       "price_usd": {"type": "string", "pattern": "^[0-9]+\\.[0-9]+$"}},
    },
    "SluiceProblem": {
        "description": "Every problem Sluice sends: X's documented ones and those above.",
        "anyOf": [{"$ref": "#/components/schemas/Problem"}, {"$ref": "#/components/schemas/SluiceHttpProblem"},
                  {"$ref": "#/components/schemas/SluiceClientForbiddenProblem"},
                  {"$ref": "#/components/schemas/SluiceUsageCappedProblem"},
                  {"$ref": "#/components/schemas/SluiceUnsupportedAuthenticationProblem"},
                  {"$ref": "#/components/schemas/SluiceCreditsExhaustedProblem"},
                  {"$ref": "#/components/schemas/SluiceConflictProblem"}],
    },
    "SluiceConflictProblem": {
        "description": "409: the request conflicts with the resource's state (a compliance job's ids uploaded "
                       "already, its result not ready). X's document names no such problem.",
        "type": "object", "required": ["type", "title", "detail"],
        "properties": {"type": {"type": "string", "enum": ["https://api.x.com/2/problems/resource-conflict"]},
                       "title": PROBLEM, "detail": PROBLEM, "status": {"type": "integer"}},
    },
    "SluiceLicenseResponse": {
        "description": "A plan's licence terms: the uses it permits and its price.",
        "type": "object", "required": ["data"],
        "properties": {"data": {
            "type": "object", "required": ["plan", "title", "uses", "content_usage", "content_signal", "terms"],
            "properties": {
                "plan": {"type": "string", "pattern": "^[a-z0-9-]+$"},
                "title": {"type": "string"},
                "uses": {"type": "object", "additionalProperties": {"type": "boolean"},
                         "description": "search, display, analytics, ai-input, ai-train: permitted or not."},
                "content_usage": {"type": "string", "description": "IETF aipref Content-Usage, e.g. train-ai=n, search=y"},
                "content_signal": {"type": "string", "description": "e.g. search=yes, ai-input=no, ai-train=no"},
                "monthly_price_usd": {"type": "string"},
                "prices_usd": {"type": "object", "required": ["post_read", "user_read", "post_create"],
                               "properties": {"post_read": PROBLEM, "user_read": PROBLEM, "post_create": PROBLEM}},
                "terms": {"type": "string"},
            }}},
    },
    "SluiceStreamRulesProblem": {
        "description": "A rule not added or not deleted (POST /2/tweets/search/stream/rules), as X reports them: "
                       "a duplicate (with the id of the rule holding the value), an invalid rule (details), the "
                       "rule cap, a rule to delete that does not exist.",
        "type": "object", "required": ["type", "title"],
        "properties": {"type": {"type": "string", "enum": [
                           "https://api.x.com/2/problems/duplicate-rules", "https://api.x.com/2/problems/invalid-rules",
                           "https://api.x.com/2/problems/rule-cap", "https://api.x.com/2/problems/invalid-request"]},
                       "title": PROBLEM, "detail": PROBLEM, "value": PROBLEM,
                       "id": {"type": "string", "pattern": "^[0-9]{1,19}$"},
                       "details": {"type": "array", "items": {"type": "string"}},
                       "errors": {"type": "array", "items": {"type": "object"}}},
    },
    "SluiceUpdateRulesResponse": {
        "description": "X's UpdateRulesResponse, its errors being the rules' problems; also the body of the 400 "
                       "for an invalid rule or the rule cap (nothing is changed then).",
        "type": "object",
        "properties": {
            "data": {"type": "array", "items": {"$ref": "#/components/schemas/UpdateRulesResponseData"}},
            "errors": {"type": "array", "items": {"$ref": "#/components/schemas/SluiceStreamRulesProblem"}},
            "meta": {"type": "object", "required": ["sent", "summary"],
                     "properties": {"sent": {"type": "string"}, "summary": {"type": "object"}}},
        },
    },
    "SluiceOpenApiDocument": {
        "description": "This document.",
        "type": "object", "required": ["openapi", "info", "paths"],
        "properties": {"openapi": {"type": "string", "pattern": "^3\\."}, "info": {"type": "object"},
                       "paths": {"type": "object"}, "components": {"type": "object"}},
    },
}

# Sluice's extension fields, added to X's schemas (X's allow other members).
EXTENSIONS = {
    "User": {"labels": {"type": "array", "items": {"type": "string"}, "x-sluice-extension": True,
                        "description": "Sluice extension: account labels, e.g. state-affiliated-media, "
                                       "government-funded (X documents no field for them)."}},
    "PostPublicMetrics": {"retweet_count": {"type": "integer", "x-sluice-extension": True,
                                            "description": "repost_count under the name X's pages and "
                                                           "existing clients use; the same value."}},
    "UserPublicMetrics": {"tweet_count": {"type": "integer", "x-sluice-extension": True,
                                          "description": "post_count under the name X's pages and existing "
                                                         "clients use; the same value."}},
}


def problem_default():
    return {"description": "The request has failed.", "content": {
        "application/json": {"schema": {"$ref": "#/components/schemas/Error"}},
        "application/problem+json": {"schema": {"$ref": "#/components/schemas/SluiceProblem"}}}}


def problem_only(description):
    return {"description": description,
            "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/SluiceProblem"}}}}


# Sluice's own routes: what X's document does not have.
SLUICE = {
    "PUT /compliance/upload/:token": {
        "operationId": "uploadComplianceIds",
        "summary": "A compliance job's upload URL (its upload_url): the ids, one per line. No token: the URL is "
                   "the authority, as X's signed storage URLs are (docs/api.md, \"Compliance\").",
        "parameters": [{"name": "Content-Range", "in": "header", "required": False, "schema": {"type": "string"},
                        "description": "A resumable upload's chunk (bytes A-B/* or A-B/TOTAL), or bytes */* to ask "
                                       "what is kept."}],
        "requestBody": {"required": True, "content": {"text/plain": {"schema": {"type": "string"}}}},
        "responses": {
            "200": {"description": "The ids are taken; the job is in_progress.",
                    "content": {"text/plain": {"schema": {"type": "string"}}}},
            "400": problem_only("A line is not an id, or the upload holds none."),
            "403": problem_only("The upload URL lapsed."),
            "404": problem_only("No job has this upload URL."),
            "308": {"description": "A resumable upload's chunk kept (or not: resend from the Range header's end).",
                    "headers": {"Range": {"schema": {"type": "string"}}}},
            "409": problem_only("The ids were uploaded already."),
            "413": problem_only("The upload is larger than compliance.upload_max_bytes."),
            "415": problem_only("The upload is not text/plain."),
        },
    },
    "GET /compliance/download/:token": {
        "operationId": "downloadComplianceResult",
        "summary": "A compliance job's download URL (its download_url): X's result lines. Each download is a "
                   "compliance notice in the ledger. No token: the URL is the authority.",
        "responses": {
            "200": {"description": "One JSON line per id that needs action (id, action, created_at, redacted_at, reason).",
                    "content": {"application/x-ndjson": {"schema": {"type": "string"}}}},
            "403": problem_only("The download URL lapsed."),
            "404": problem_only("No job has this download URL."),
            "409": problem_only("The job is not complete."),
        },
    },
    "POST /compliance/upload/:token": {
        "operationId": "startResumableComplianceUpload",
        "summary": "Starts a resumable upload of a job created with resumable true: Google Cloud Storage's "
                   "resumable protocol, as X's resumable upload URLs speak it. Header x-goog-resumable: start, "
                   "empty body. Then PUT chunks to the session URI (the upload URL with ?upload_id=...) with "
                   "Content-Range: 308 with the Range kept, 200 after the last (docs/api.md, \"Resumable uploads\").",
        "parameters": [{"name": "x-goog-resumable", "in": "header", "required": True,
                        "schema": {"type": "string", "enum": ["start"]}}],
        "responses": {
            "201": {"description": "The session begun; its URI in Location (an earlier session's bytes dropped).",
                    "headers": {"Location": {"schema": {"type": "string"}}}},
            "400": problem_only("No x-goog-resumable: start, a body, or a job created with resumable false."),
            "403": problem_only("The upload URL lapsed."),
            "404": problem_only("No job has this upload URL."),
            "409": problem_only("The ids were uploaded already."),
        },
    },
    "GET /2/license/:plan": {
        "operationId": "getLicense",
        "summary": "A plan's licence terms (Sluice): JSON, or RSL XML with Accept: application/rsl+xml or ?format=rsl.",
        "responses": {
            "200": {"description": "The plan's terms.", "content": {
                "application/json": {"schema": {"$ref": "#/components/schemas/SluiceLicenseResponse"}},
                "application/rsl+xml": {"schema": {"type": "string"}}}},
            "404": problem_only("No plan has that name."),
        },
    },
    "GET /robots.txt": {
        "operationId": "getRobotsTxt",
        "summary": "Content-Usage and Content-Signal lines for clients without a licence (Sluice).",
        "responses": {"200": {"description": "robots.txt", "content": {"text/plain": {"schema": {"type": "string"}}}}},
    },
    "GET /2/openapi.json": {
        "operationId": "getOpenApi",
        "summary": "This document (Sluice): every endpoint Sluice serves.",
        "responses": {
            "200": {"description": "Sluice's OpenAPI document.", "content": {
                "application/vnd.oai.openapi+json": {"schema": {"$ref": "#/components/schemas/SluiceOpenApiDocument"}}}},
        },
    },
}


# The admin API (docs/admin-api.md): /admin/v1, the admin token or a portal session. Each
# admin route of the table needs an entry here: (summary, request body schema or None, status,
# response data schema).
def admin_op(endpoint, summary, body, status, data):
    op = {"operationId": "admin" + "".join(w.capitalize() for w in re.findall(r"[a-z]+", endpoint.split(" ", 1)[1])[2:])
          + endpoint.split(" ")[0].capitalize(),
          "summary": summary + " (Sluice admin API: docs/admin-api.md)",
          "responses": {str(status): {"description": "Done.", "content": {"application/json": {"schema": {
              "type": "object", "required": ["data"], "properties": {"data": data}}}}},
              "default": problem_only("The request has failed (401 no or wrong credentials, 403 CSRF, Origin or an "
                                      "operator-only route, 404 not found or another project's).")}}
    if body is not None:
        op["requestBody"] = {"required": True, "content": {"application/json": {"schema": body}}}
    return op


def obj(props, required=()):
    return {"type": "object", "properties": props, **({"required": list(required)} if required else {})}


STR, INT, BOOL = {"type": "string"}, {"type": "integer"}, {"type": "boolean"}
PROJECT = {"$ref": "#/components/schemas/SluiceAdminProject"}
APP = {"$ref": "#/components/schemas/SluiceAdminApp"}
SESSION = obj({"role": {"type": "string", "enum": ["admin", "project"]}, "project_id": STR, "csrf_token": STR,
               "expires_at": STR}, ["role", "csrf_token", "expires_at"])
CREDITS = obj({"added_micro_usd": INT, "spent_micro_usd": INT, "balance_micro_usd": INT, "balance_usd": STR,
               "entries": {"type": "array", "items": obj({"micro_usd": INT, "usd": STR, "added_at": STR})}},
              ["balance_micro_usd"])
ADMIN_SCHEMAS = {
    "SluiceAdminProject": obj({"id": STR, "name": STR, "plan": {"type": "string", "nullable": True}, "created_at": STR,
                               "cap_reset_day": INT, "console_key": STR}, ["id", "name", "created_at", "cap_reset_day"]),
    "SluiceAdminApp": obj({"id": STR, "project_id": STR, "name": STR, "plan": STR, "uses": {"type": "array", "items": STR},
                           "created_at": STR, "revoked_at": STR, "client_id": STR, "bearer_token": STR,
                           "client_secret": STR}, ["id", "project_id", "name", "plan", "uses", "created_at"]),
}
ARRAY = lambda items: {"type": "array", "items": items}
ANY = {}
ADMIN = {
    "POST /admin/v1/session": admin_op("POST /admin/v1/session", "Sign in to the portal with the admin token or a console key: sets the sluice_portal cookie",
                                       obj({"admin_token": STR, "console_key": STR}), 200, SESSION),
    "GET /admin/v1/session": admin_op("GET /admin/v1/session", "The portal session and its CSRF token", None, 200, SESSION),
    "DELETE /admin/v1/session": admin_op("DELETE /admin/v1/session", "Sign out: clears the cookie", None, 200,
                                         obj({"signed_out": BOOL}, ["signed_out"])),
    "GET /admin/v1/plans": admin_op("GET /admin/v1/plans", "The plans", None, 200, ARRAY(obj({"name": STR}, ["name"]))),
    "GET /admin/v1/projects": admin_op("GET /admin/v1/projects", "Every project (operator)", None, 200, ARRAY(PROJECT)),
    "GET /admin/v1/projects/:id": admin_op("GET /admin/v1/projects/:id", "One project", None, 200, PROJECT),
    "POST /admin/v1/projects": admin_op("POST /admin/v1/projects", "Make a project and its console key (operator)",
                                        obj({"name": STR, "plan": STR}, ["name"]), 201, PROJECT),
    "POST /admin/v1/projects/:id/console_key": admin_op("POST /admin/v1/projects/:id/console_key",
                                                        "A new console key; the old one and its sessions end (operator)",
                                                        None, 200, obj({"project_id": STR, "console_key": STR})),
    "GET /admin/v1/projects/:id/apps": admin_op("GET /admin/v1/projects/:id/apps", "The project's apps, revoked ones too",
                                                None, 200, ARRAY(APP)),
    "POST /admin/v1/projects/:id/apps": admin_op("POST /admin/v1/projects/:id/apps", "Make an app; its bearer token is shown once",
                                                 obj({"name": STR, "uses": ARRAY(STR)}, ["name"]), 201, APP),
    "POST /admin/v1/apps/:id/rotate": admin_op("POST /admin/v1/apps/:id/rotate", "A new bearer token; the old one is refused at once",
                                               None, 200, APP),
    "POST /admin/v1/apps/:id/revoke": admin_op("POST /admin/v1/apps/:id/revoke", "Revoke the app: its token is refused at once",
                                               None, 200, APP),
    "GET /admin/v1/projects/:id/usage": admin_op("GET /admin/v1/projects/:id/usage",
                                                 "This cycle's posts against the cap, per day and app, and the credits",
                                                 None, 200, obj({"used": INT, "daily": ARRAY(ANY), "credits": CREDITS},
                                                                ["used", "daily", "credits"])),
    "GET /admin/v1/projects/:id/limits": admin_op("GET /admin/v1/projects/:id/limits",
                                                  "Each live app's rate limits, read without spending", None, 200,
                                                  ARRAY(obj({"app_id": STR, "endpoint": STR, "limit": INT, "remaining": INT,
                                                             "reset": STR, "window_s": INT}))),
    "GET /admin/v1/projects/:id/credits": admin_op("GET /admin/v1/projects/:id/credits", "Prepaid credits", None, 200, CREDITS),
    "POST /admin/v1/projects/:id/credits": admin_op("POST /admin/v1/projects/:id/credits", "Add prepaid credits (operator)",
                                                    obj({"micro_usd": INT}, ["micro_usd"]), 201, CREDITS),
    "GET /admin/v1/projects/:id/invoices": admin_op("GET /admin/v1/projects/:id/invoices",
                                                    "This month's estimate and past months, from this node's ledger", None, 200,
                                                    ARRAY(obj({"month": STR, "estimate": BOOL, "total_usd": STR,
                                                               "total_micro_usd": INT}))),
    "GET /admin/v1/projects/:id/invoices/:month": admin_op("GET /admin/v1/projects/:id/invoices/:month",
                                                           "One month's invoice (`sluice invoice`); ?format=csv for CSV",
                                                           None, 200, ANY),
}
ADMIN["GET /admin/v1/projects/:id/invoices/:month"]["responses"]["200"]["content"]["text/csv"] = {"schema": STR}
ADMIN["GET /admin/v1/projects/:id/invoices/:month"]["parameters"] = [
    {"name": "format", "in": "query", "schema": {"type": "string", "enum": ["json", "csv"]}}]


def read_routes():
    """The (method, pattern, kind) of each route of the table, in table order."""
    text = open(ROUTES_H).read()
    table = text[text.index("kRoutes = {{"):]
    table = table[:table.index("}};")]
    return re.findall(r'\{RouteId::\w+, "(\w+)", "([^"]+)", RouteKind::k(\w+)\}', table)


def template(pattern):
    return re.sub(r":(\w+)", r"{\1}", pattern)


def parameters(endpoint, pattern):
    out = []
    for name in re.findall(r":(\w+)", pattern):
        out.append({"name": name, "in": "path", "required": True, "schema": {"type": "string"}})
    for name in QUERY.get(endpoint, []):
        kind = "integer" if name in INTEGER else "boolean" if name in BOOLEAN else "string"
        p = {"name": name, "in": "query", "schema": {"type": kind}}
        if name in REQUIRED and name not in NOT_REQUIRED.get(endpoint, set()):
            p["required"] = True
        out.append(p)
    return out


def build():
    x = json.load(open(X_EXTRACT))
    schemas = copy.deepcopy(x["components"]["schemas"])
    for name, props in EXTENSIONS.items():
        if name in schemas:
            schemas[name].setdefault("properties", {}).update(props)
    schemas.update(SLUICE_SCHEMAS)
    schemas.update(ADMIN_SCHEMAS)
    paths = {}
    for method, pattern, kind in read_routes():
        if kind not in ("Api", "Public", "Capability", "Admin"):
            continue  # operational routes (health, metrics) are the server's, not the API's
        endpoint = f"{method} {pattern}"
        path = template(pattern)
        if kind == "Admin":
            if endpoint not in ADMIN:
                sys.exit(f"sluice_openapi.py: the admin route {endpoint} has no entry in ADMIN")
            op = copy.deepcopy(ADMIN[endpoint])
            params = parameters(endpoint, pattern) + op.get("parameters", [])
            if params:
                op["parameters"] = params
            # Signing in needs nothing; every other call the admin token or a portal session.
            op["security"] = [] if endpoint == "POST /admin/v1/session" else [{"AdminToken": []}, {"PortalSession": []}]
            paths.setdefault(path, {})[method.lower()] = op
            continue
        x_op = x["paths"].get(path, {}).get(method.lower())
        if endpoint in SLUICE:
            op = copy.deepcopy(SLUICE[endpoint])
        elif x_op is not None:
            op = {"operationId": re.sub(r"\W+", "_", endpoint).strip("_"), "responses": copy.deepcopy(x_op["responses"])}
            op["responses"]["default"] = problem_default()
            if "requestBody" in x_op:
                op["requestBody"] = copy.deepcopy(x_op["requestBody"])  # X's, as Sluice takes it
        else:
            sys.exit(f"sluice_openapi.py: {endpoint} is neither X's (not in {X_EXTRACT}) nor described in SLUICE")
        if endpoint == "POST /2/tweets/search/stream/rules":
            # X's document types the rules' problems as its Problem union, which lacks them.
            rules = {"application/json": {"schema": {"$ref": "#/components/schemas/SluiceUpdateRulesResponse"}}}
            op["responses"]["200"]["content"] = rules
            op["responses"]["400"] = {"description": "A rule is invalid or past the plan's rule cap: nothing changed "
                                                     "(application/json); or the request is (a problem).",
                                      "content": copy.deepcopy(rules) | problem_default()["content"]}
            op["responses"]["400"]["content"]["application/json"] = copy.deepcopy(rules["application/json"])
        params = parameters(endpoint, pattern) + op.get("parameters", [])  # a SLUICE entry's headers after
        if params:
            op["parameters"] = params
        op["security"] = [{"BearerToken": []}] if kind == "Api" else []
        if x_op is not None and kind == "Api":
            # X's own requirements (app token, user token with scopes), OAuth 1.0a aside:
            # what the authenticate stage enforces (src/api/authenticate.h).
            x_security = [r for r in x_op.get("security", []) if set(r) <= {"BearerToken", "OAuth2UserToken"}]
            if x_security:
                op["security"] = x_security
        paths.setdefault(path, {})[method.lower()] = op
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "Sluice API",
            "version": "1",
            "description": "The X API v2 endpoints Sluice serves, with X's response schemas (X's document "
                           + x["info"]["version"] + "), and Sluice's own: licence terms, problem types and "
                           "extension fields. Generated by scripts/sluice_openapi.py; do not edit.",
        },
        "paths": paths,
        "components": {
            "securitySchemes": {
                "BearerToken": {"type": "http", "scheme": "bearer",
                                "description": "An app token from `sluice apps create`."},
                "AdminToken": {"type": "http", "scheme": "bearer",
                               "description": "The admin token ([admin] token_file; docs/admin-api.md)."},
                "PortalSession": {"type": "apiKey", "in": "cookie", "name": "sluice_portal",
                                  "description": "A portal session (POST /admin/v1/session); changes also send "
                                                 "X-CSRF-Token (docs/admin-api.md)."},
                "OAuth2UserToken": {
                    "type": "oauth2",
                    "description": "A user access token: an account allowed the app these scopes (docs/oauth.md).",
                    "flows": {"authorizationCode": {
                        "authorizationUrl": "/i/oauth2/authorize",
                        "tokenUrl": "/2/oauth2/token",
                        "refreshUrl": "/2/oauth2/token",
                        "scopes": copy.deepcopy(
                            x["components"]["securitySchemes"]["OAuth2UserToken"]["flows"]["authorizationCode"]["scopes"]),
                    }},
                },
            },
            "schemas": dict(sorted(schemas.items())),
        },
    }


def render():
    return json.dumps(build(), indent=1, sort_keys=False) + "\n"


def main():
    text = render()
    if sys.argv[1:] == ["--check"]:
        current = open(OUTPUT).read() if os.path.exists(OUTPUT) else ""
        if current != text:
            sys.exit("docs/openapi.json is not what scripts/sluice_openapi.py makes from the route table and "
                     "X's extract: run python3 scripts/sluice_openapi.py > docs/openapi.json")
        return
    sys.stdout.write(text)


if __name__ == "__main__":
    main()
