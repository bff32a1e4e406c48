// The filtered stream's rules (issue 16): POST /2/tweets/search/stream/rules (add, delete,
// delete_all, dry_run), GET .../rules and GET .../rules/counts, as X's. Rules belong to the
// app whose bearer token calls; their count and length come from its plan (access/plans.h).
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstdio>

#include "api/stream_hub.h"
#include "api/action_body.h"
#include "api/exchange.h"
#include "api/handlers.h"
#include "api/params.h"
#include "api/stream_rules_body.h"
#include "core/json_writer.h"
#include "core/parse.h"
#include "core/time_format.h"

namespace sluice {

namespace {

constexpr std::string_view kProblems = "https://api.x.com/2/problems/";

Result<const Plan*> StreamPlan(const ApiContext& ctx, const App& app) {
  const Plan* plan = ctx.services.plans.Find(app.plan);
  // Admission refuses a plan without these endpoints first; a plan offering them has the three
  // stream numbers (plans.cc checks): this is a guard, not a path.
  if (!plan || plan->stream_rules <= 0)
    return ClientForbidden("client-not-enrolled", "Plan '" + app.plan + "' does not include the filtered stream");
  return plan;
}

// X's boolean query parameters: true or false.
Result<bool> BoolParam(const Params& p, std::string_view name) {
  auto v = p.Get(name);
  if (!v) return false;
  if (*v == "true") return true;
  if (*v == "false") return false;
  const std::string text(*v);
  return InvalidRequest(std::string(name), text,
                        "The `" + std::string(name) + "` query parameter value [" + text + "] is not one of [true, false]");
}

void Rule(JsonWriter& w, const StreamRule& r) {
  w.BeginObject();
  w.Member("value", r.value);
  if (!r.tag.empty()) w.Member("tag", r.tag);
  w.MemberId("id", r.id);
  w.EndObject();
}

void Sent(JsonWriter& w, TimeMs now) { w.Member("sent", FormatTime(now)); }

struct Summary {
  int64_t created = 0, not_created = 0, valid = 0, invalid = 0;
};

void AddMeta(JsonWriter& w, TimeMs now, const Summary& s) {
  w.Key("meta");
  w.BeginObject();
  Sent(w, now);
  w.Key("summary");
  w.BeginObject();
  w.MemberInt("created", s.created);
  w.MemberInt("not_created", s.not_created);
  w.MemberInt("valid", s.valid);
  w.MemberInt("invalid", s.invalid);
  w.EndObject();
  w.EndObject();
}

// One rule that cannot be a rule: X's InvalidRuleProblem (UnprocessableEntity, invalid-rules).
struct InvalidRule {
  std::string value;
  std::string detail;
};

Result<ApiResponse> Add(ApiContext& ctx, const App& app, const Plan& plan, std::vector<StreamRulesBody::Add> add,
                        bool dry_run) {
  // Every value must parse as a query within the plan's rule length, or none is added (X).
  std::vector<InvalidRule> invalid;
  for (const auto& a : add) {
    auto q = ParseSearchQuery(a.value, size_t(plan.stream_rule_length));
    if (q.ok()) continue;
    const auto& errors = q.status().parameter_errors();
    invalid.push_back({a.value, errors.empty() ? q.status().message() : errors.front().message});
  }
  const int64_t total = int64_t(add.size());
  if (!invalid.empty()) {
    JsonWriter w;
    w.BeginObject();
    AddMeta(w, ctx.now, {0, total, total - int64_t(invalid.size()), int64_t(invalid.size())});
    w.Key("errors");
    w.BeginArray();
    for (const auto& bad : invalid) {
      w.BeginObject();
      w.Member("value", bad.value);
      w.Key("details");
      w.BeginArray();
      w.String(bad.detail);
      w.EndArray();
      w.Member("title", "UnprocessableEntity");
      w.Member("type", std::string(kProblems) + "invalid-rules");
      w.EndObject();
    }
    w.EndArray();
    w.EndObject();
    return ApiResponse::Json(400, w.Take());
  }
  std::vector<StreamRule> rules;
  rules.reserve(add.size());
  for (auto& a : add)
    rules.push_back(StreamRule{ctx.ids.Next(), app.id, std::move(a.value), a.tag.value_or(""), ctx.now});
  auto done = ctx.store.AddStreamRules(app.id, rules, plan.stream_rules, !dry_run);
  if (!done.ok()) return done.status();
  JsonWriter w;
  w.BeginObject();
  if (done->over_cap) {
    AddMeta(w, ctx.now, {0, total, total, 0});
    w.Key("errors");
    w.BeginArray();
    w.BeginObject();
    w.Member("title", "RulesCapExceeded");
    w.Member("type", std::string(kProblems) + "rule-cap");
    w.Member("detail", "Rule cap exceeded: the app may hold " + std::to_string(plan.stream_rules) + " rules, holds " +
                           std::to_string(done->held) + ", and this request adds " +
                           std::to_string(done->added.size()));
    w.EndObject();
    w.EndArray();
    w.EndObject();
    return ApiResponse::Json(400, w.Take());
  }
  if (!done->added.empty()) {
    w.Key("data");
    w.BeginArray();
    for (const auto& r : done->added) Rule(w, r);
    w.EndArray();
  }
  AddMeta(w, ctx.now, {int64_t(done->added.size()), int64_t(done->duplicates.size()), total, 0});
  if (!done->duplicates.empty()) {
    w.Key("errors");
    w.BeginArray();
    for (const auto& d : done->duplicates) {
      w.BeginObject();
      w.Member("value", d.value);
      w.MemberId("id", d.id);
      w.Member("title", "DuplicateRule");
      w.Member("type", std::string(kProblems) + "duplicate-rules");
      w.EndObject();
    }
    w.EndArray();
  }
  w.EndObject();
  return ApiResponse::Json(200, w.Take());
}

Result<ApiResponse> Delete(ApiContext& ctx, const App& app, StreamRulesBody body, bool delete_all, bool dry_run) {
  if (delete_all) {
    auto held = ctx.store.StreamRules(app.id);
    if (!held.ok()) return held.status();
    for (const auto& r : *held) body.delete_ids.push_back(r.id);
  }
  auto gone = ctx.store.DeleteStreamRules(app.id, body.delete_ids, body.delete_values, !dry_run);
  if (!gone.ok()) return gone.status();
  // What was named and is not the app's: X's "Rule does not exist", one error each.
  std::vector<std::pair<std::string_view, std::string>> missing;
  for (Id id : body.delete_ids)
    if (std::none_of(gone->begin(), gone->end(), [&](const StreamRule& r) { return r.id == id; }))
      missing.emplace_back("ids", std::to_string(id));
  for (const auto& v : body.delete_values)
    if (std::none_of(gone->begin(), gone->end(), [&](const StreamRule& r) { return r.value == v; }))
      missing.emplace_back("values", v);
  JsonWriter w;
  w.BeginObject();
  w.Key("meta");
  w.BeginObject();
  Sent(w, ctx.now);
  w.Key("summary");
  w.BeginObject();
  w.MemberInt("deleted", int64_t(gone->size()));
  w.MemberInt("not_deleted", int64_t(missing.size()));
  w.EndObject();
  w.EndObject();
  if (!missing.empty()) {
    w.Key("errors");
    w.BeginArray();
    for (const auto& [parameter, value] : missing) {
      w.BeginObject();
      w.Key("errors");
      w.BeginArray();
      w.BeginObject();
      w.Key("parameters");
      w.BeginObject();
      w.Key(parameter);
      w.BeginArray();
      w.String(value);
      w.EndArray();
      w.EndObject();
      w.Member("message", "Rule does not exist");
      w.EndObject();
      w.EndArray();
      w.Member("title", "Invalid Request");
      w.Member("detail", "One or more parameters to your request was invalid.");
      w.Member("type", std::string(kProblems) + "invalid-request");
      w.EndObject();
    }
    w.EndArray();
  }
  w.EndObject();
  return ApiResponse::Json(200, w.Take());
}

// X's rules pagination token: 16 base32hex characters. Sluice's: the last id of the page, in
// 16 hexadecimal digits (a subset of base32hex's alphabet).
std::string RuleToken(Id last) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llX", static_cast<unsigned long long>(last));
  return buf;
}

Result<Id> DecodeRuleToken(std::string_view token) {
  const bool ok = token.size() == 16 && std::all_of(token.begin(), token.end(), [](char c) {
                    return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F');
                  });
  if (!ok) {
    const std::string text(token);
    return InvalidRequest("pagination_token", text,
                          "The `pagination_token` query parameter value [" + text + "] is not valid");
  }
  return Id(std::stoull(std::string(token), nullptr, 16));
}

}  // namespace

Result<ApiResponse> AddOrDeleteStreamRules(ApiContext& ctx, const App& app, const ApiRequest& req, std::string_view) {
  auto plan = StreamPlan(ctx, app);
  if (!plan.ok()) return plan.status();
  auto params = Params::Parse(req.query);
  if (!params.ok()) return params.status();
  if (Status s = params->CheckAllowed({"dry_run", "delete_all"}); !s.ok()) return s;
  auto dry_run = BoolParam(*params, "dry_run");
  if (!dry_run.ok()) return dry_run.status();
  auto delete_all = BoolParam(*params, "delete_all");
  if (!delete_all.ok()) return delete_all.status();
  if (!(*delete_all && req.body.empty()))
    if (Status s = RequireJsonContentType(req.content_type); !s.ok()) return s;
  auto body = ParseStreamRulesBody(req.body, *delete_all);
  if (!body.ok()) return body.status();
  auto answered = body->is_add() ? Add(ctx, app, **plan, std::move(body->add), *dry_run)
                                 : Delete(ctx, app, std::move(*body), *delete_all, *dry_run);
  // This node's streams match by the new rules from the next post on; other nodes' within
  // StreamHub::kRulesPollMs.
  if (answered.ok() && !*dry_run && ctx.services.streams)
    if (Status s = ctx.services.streams->RefreshRules(ctx.store); !s.ok())
      spdlog::warn("streams: rules not reloaded after a change: {}", s.message());
  return answered;
}

Result<ApiResponse> GetStreamRules(ApiContext& ctx, const App& app, const ApiRequest& req, std::string_view) {
  if (auto plan = StreamPlan(ctx, app); !plan.ok()) return plan.status();
  auto params = Params::Parse(req.query);
  if (!params.ok()) return params.status();
  if (Status s = params->CheckAllowed({"ids", "max_results", "pagination_token"}); !s.ok()) return s;
  std::vector<Id> ids;
  if (params->Get("ids")) {
    auto list = ParseIdList(*params, "ids", 1000);
    if (!list.ok()) return list.status();
    ids = std::move(*list);
  }
  auto max = ParseMaxResults(*params, 1, 1000, 1000);
  if (!max.ok()) return max.status();
  Id after = 0;
  if (auto token = params->Get("pagination_token")) {
    auto decoded = DecodeRuleToken(*token);
    if (!decoded.ok()) return decoded.status();
    after = *decoded;
  }
  auto rules = ctx.store.StreamRules(app.id);  // by id
  if (!rules.ok()) return rules.status();
  std::vector<const StreamRule*> page;
  bool more = false;
  for (const auto& r : *rules) {
    if (r.id <= after) continue;
    if (!ids.empty() && std::find(ids.begin(), ids.end(), r.id) == ids.end()) continue;
    if (int(page.size()) == *max) {
      more = true;
      break;
    }
    page.push_back(&r);
  }
  JsonWriter w;
  w.BeginObject();
  if (!page.empty()) {
    w.Key("data");
    w.BeginArray();
    for (const StreamRule* r : page) {
      w.BeginObject();
      w.MemberId("id", r->id);
      w.Member("value", r->value);
      if (!r->tag.empty()) w.Member("tag", r->tag);
      w.EndObject();
    }
    w.EndArray();
  }
  w.Key("meta");
  w.BeginObject();
  Sent(w, ctx.now);
  w.MemberInt("result_count", int64_t(page.size()));
  if (more) w.Member("next_token", RuleToken(page.back()->id));
  w.EndObject();
  w.EndObject();
  return ApiResponse::Json(200, w.Take());
}

Result<ApiResponse> GetStreamRuleCounts(ApiContext& ctx, const App& app, const ApiRequest& req, std::string_view) {
  auto plan = StreamPlan(ctx, app);
  if (!plan.ok()) return plan.status();
  auto params = Params::Parse(req.query);
  if (!params.ok()) return params.status();
  if (Status s = params->CheckAllowed({"rules_count.fields"}); !s.ok()) return s;
  bool all_apps = false;
  if (auto fields = params->Get("rules_count.fields")) {
    for (std::string_view f : SplitCommaList(*fields)) {
      if (f == "all_project_client_apps") all_apps = true;
      else if (f != "cap_per_client_app" && f != "cap_per_project" && f != "client_app_rules_count" &&
               f != "project_rules_count")
        return InvalidRequest("rules_count.fields", std::string(f),
                              "The `rules_count.fields` query parameter value [" + std::string(f) +
                                  "] is not one of [all_project_client_apps, cap_per_client_app, cap_per_project, "
                                  "client_app_rules_count, project_rules_count]");
    }
  }
  auto counts = ctx.store.StreamRuleCounts(app.project_id);
  if (!counts.ok()) return counts.status();
  int64_t project = 0, own = 0;
  for (const auto& [id, n] : *counts) {
    project += n;
    if (id == app.id) own = n;
  }
  JsonWriter w;
  w.BeginObject();
  w.Key("data");
  w.BeginObject();
  if (all_apps) {
    w.Key("all_project_client_apps");
    w.BeginArray();
    for (const auto& [id, n] : *counts) {
      w.BeginObject();
      w.MemberId("client_app_id", id);
      w.MemberInt("rule_count", n);
      w.EndObject();
    }
    w.EndArray();
  }
  w.Member("cap_per_client_app", std::to_string((*plan)->stream_rules));
  w.Member("cap_per_project", std::to_string((*plan)->stream_rules * (*plan)->max_apps));
  w.Key("client_app_rules_count");
  w.BeginObject();
  w.MemberId("client_app_id", app.id);
  w.MemberInt("rule_count", own);
  w.EndObject();
  w.Member("project_rules_count", std::to_string(project));
  w.EndObject();
  w.EndObject();
  return ApiResponse::Json(200, w.Take());
}

}  // namespace sluice
