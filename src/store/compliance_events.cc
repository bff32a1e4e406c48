// Compliance events: their names (store.h) and how the SQL stores apply them (compliance_events.h).
#include "store/compliance_events.h"

#include <array>
#include <utility>

namespace sluice {

namespace {

using K = ComplianceEvent::Kind;

constexpr std::array<std::pair<K, std::string_view>, 10> kNames{{
    {K::kDelete, "delete"},
    {K::kWithheld, "withheld"},
    {K::kScrubGeo, "scrub_geo"},
    {K::kUserDelete, "user_delete"},
    {K::kUserSuspend, "user_suspend"},
    {K::kUserProtect, "user_protect"},
    {K::kUserUndelete, "user_undelete"},
    {K::kUserUnsuspend, "user_unsuspend"},
    {K::kUserUnprotect, "user_unprotect"},
    {K::kUserWithheld, "user_withheld"},
}};

}  // namespace

std::string_view ComplianceEventName(ComplianceEvent::Kind kind) {
  for (const auto& [k, name] : kNames)
    if (k == kind) return name;
  return "";
}

std::optional<ComplianceEvent::Kind> ParseComplianceEventName(std::string_view name) {
  for (const auto& [k, n] : kNames)
    if (n == name) return k;
  return std::nullopt;
}

bool IsUserComplianceEvent(ComplianceEvent::Kind kind) { return kind != K::kDelete && kind != K::kWithheld; }

namespace rows {

namespace {

SqlArg Int(int64_t v) { return {false, v, {}}; }
SqlArg Text(std::string v) { return {true, 0, std::move(v)}; }

constexpr const char* kFindUser = "SELECT id FROM users WHERE id = ? AND synthetic = 0";

// A user column set to `value` (SQL) unless `unchanged` (SQL) holds already.
ComplianceApplyPlan UserUpdate(Id user, std::string set, std::string unchanged, std::vector<SqlArg> set_args,
                               std::vector<SqlArg> unchanged_args) {
  ComplianceApplyPlan p;
  p.find = kFindUser;
  p.subject = user;
  p.update = "UPDATE users SET " + set + " WHERE id = ? AND NOT (" + unchanged + ")";
  p.args = std::move(set_args);
  p.args.push_back(Int(user));
  for (auto& a : unchanged_args) p.args.push_back(std::move(a));
  return p;
}

}  // namespace

Result<ComplianceApplyPlan> PlanComplianceApply(const ComplianceEvent& e) {
  const bool withholding = e.kind == K::kWithheld || e.kind == K::kUserWithheld;
  if (withholding && e.withheld_in_countries.empty()) return CommandError("a withholding names one or more countries");
  for (const std::string& c : e.withheld_in_countries) {
    if (c.size() != 2 || c[0] < 'A' || c[0] > 'Z' || c[1] < 'A' || c[1] > 'Z')
      return CommandError("not a country code (two capital letters, ISO 3166-1): '" + c + "'");
  }
  const std::string countries = ComplianceCountries(e);
  switch (e.kind) {
    case K::kDelete:
      return CommandError("a post deletion is a write (DELETE /2/tweets/:id), not an operator's event");
    case K::kWithheld: {
      if (e.post_id <= 0) return CommandError("no post id");
      ComplianceApplyPlan p;
      p.find = "SELECT author_id FROM posts WHERE id = ? AND deleted_at IS NULL";
      p.subject = e.post_id;
      p.update = "UPDATE posts SET withheld_in = ? WHERE id = ? AND withheld_in <> ?";
      p.args = {Text(countries), Int(e.post_id), Text(countries)};
      return p;
    }
    default:
      break;
  }
  if (e.user_id <= 0) return CommandError("no user id");
  switch (e.kind) {
    case K::kUserSuspend:
      return UserUpdate(e.user_id, "suspended_at = ?", "suspended_at IS NOT NULL", {Int(e.event_at)}, {});
    case K::kUserUnsuspend:
      return UserUpdate(e.user_id, "suspended_at = NULL", "suspended_at IS NULL", {}, {});
    case K::kUserDelete:
      return UserUpdate(e.user_id, "deactivated_at = ?", "deactivated_at IS NOT NULL", {Int(e.event_at)}, {});
    case K::kUserUndelete:
      return UserUpdate(e.user_id, "deactivated_at = NULL", "deactivated_at IS NULL", {}, {});
    case K::kUserProtect:
      return UserUpdate(e.user_id, "protected = 1", "protected <> 0", {}, {});
    case K::kUserUnprotect:
      return UserUpdate(e.user_id, "protected = 0", "protected = 0", {}, {});
    case K::kUserWithheld:
      return UserUpdate(e.user_id, "withheld_in = ?", "withheld_in = ?", {Text(countries)}, {Text(countries)});
    case K::kScrubGeo:
      if (e.post_id <= 0) return CommandError("scrub_geo needs the id of the last post scrubbed (up_to_tweet_id)");
      return UserUpdate(e.user_id, "geo_scrubbed_up_to = ?", "geo_scrubbed_up_to >= ?", {Int(e.post_id)},
                        {Int(e.post_id)});
    default:
      return CommandError("unknown compliance event");
  }
}

//! The outbox row's countries.
std::string ComplianceCountries(const ComplianceEvent& e) {
  std::string out;
  for (const std::string& c : e.withheld_in_countries) out += (out.empty() ? "" : ",") + c;
  return out;
}

}  // namespace rows

}  // namespace sluice
