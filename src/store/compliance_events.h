#pragma once
//! What both SQL stores share about compliance events (Store::ApplyComplianceEvent): the
//! statements that apply an event to its user or post, and the outbox's columns. Internal to
//! src/store.

#include <string>
#include <vector>

#include "store/store.h"

namespace sluice::rows {

//! One argument of a statement below: an integer or, `text` set, a string.
struct SqlArg {
  bool text = false;
  int64_t i = 0;
  std::string s;
};

//! How to apply an event, in the transaction that notes it: `find` (one argument, the
//! subject's id) selects one row when the subject exists (for a post: its author_id); then
//! `update` with `args` changes it unless it is in that state already (0 rows changed).
struct ComplianceApplyPlan {
  std::string find;
  Id subject = 0;
  std::string update;
  std::vector<SqlArg> args;
};

//! The plan for `e`; kUsage for kDelete, a withholding without countries or with a code that
//! is not two capital letters, a scrub_geo without a post id, or no subject id.
Result<ComplianceApplyPlan> PlanComplianceApply(const ComplianceEvent& e);

//! The outbox row's countries: the codes joined by ','.
std::string ComplianceCountries(const ComplianceEvent& e);

//! Moves the outbox head (the first statement of an apply: writers take turns on its row).
inline constexpr const char* kBumpComplianceHead = "UPDATE compliance_events_head SET seq = seq + 1";
//! Notes the event at the head's seq: kind, user_id, post_id, countries, at.
inline constexpr const char* kInsertComplianceEvent =
    "INSERT INTO compliance_events (seq, kind, user_id, post_id, countries, at)"
    " SELECT seq, ?, CAST(? AS BIGINT), CAST(? AS BIGINT), ?, CAST(? AS BIGINT) FROM compliance_events_head";
inline constexpr const char* kComplianceEventsAfter =
    "SELECT seq, kind, user_id, post_id, countries, at FROM compliance_events WHERE seq > ? ORDER BY seq LIMIT ?";
inline constexpr const char* kLastComplianceEvent = "SELECT coalesce(max(seq), 0) FROM compliance_events";

//! A row of kComplianceEventsAfter; nullopt for a kind this build does not know.
template <class R>
std::optional<StoredComplianceEvent> ReadComplianceEvent(const R& r) {
  auto kind = ParseComplianceEventName(r.Text(1));
  if (!kind) return std::nullopt;
  StoredComplianceEvent out;
  out.seq = r.Int(0);
  out.event.kind = *kind;
  out.event.user_id = r.Int(2);
  out.event.post_id = r.Int(3);
  std::string_view countries = r.Text(4);
  while (!countries.empty()) {
    size_t comma = countries.find(',');
    out.event.withheld_in_countries.emplace_back(countries.substr(0, comma));
    countries.remove_prefix(comma == std::string_view::npos ? countries.size() : comma + 1);
  }
  out.event.event_at = r.Int(5);
  return out;
}

}  // namespace sluice::rows
