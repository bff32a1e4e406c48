#pragma once
//! UsageMeter: what each project has been delivered, for post caps, pay-per-use credits and
//! the usage endpoint. X's rule: a post delivered to a project several times in one UTC day
//! counts once; so does a user (pay-per-use). Posts written count against the write cap.
//! The meter holds, per project, the distinct post and user ids of the current UTC day only
//! (at most 16 bytes per distinct id), and per day and app plain counters. It is rebuilt from
//! the ledger at start (the ledger is the source of truth), so it survives kill -9: from the
//! newest usage snapshot (Save, api/usage_snapshot.h) and the records after it.
//! Thread-safe: Charge is atomic per project (decide and record under one lock).
//!
//! Budget is reserved before an effect and committed or released after it: Charge is the
//! reservation (decided and counted at once, so a concurrent Charge of the same project sees
//! it and two requests can never both take the last post of a cap or the last cent of
//! credit); keeping the charge commits it; Refund releases it. A write is charged before its
//! post is noted, and refunded when the handler or the ledger fails, so a refused or failed
//! write leaves no count and no charge.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "access/plans.h"
#include "core/clock.h"
#include "core/result.h"

namespace sluice {

struct DayUsage {
  TimeMs day = 0;              // UTC midnight
  int64_t posts_read = 0;      // distinct posts delivered that day
  int64_t users_read = 0;      // distinct users delivered that day
  int64_t posts_written = 0;
  MicroUsd spent = 0;          // pay-per-use charges that day
  friend bool operator==(const DayUsage&, const DayUsage&) = default;
};

struct AppDayUsage {
  Id app_id = 0;
  TimeMs day = 0;
  int64_t posts_read = 0;      // distinct for the project: the app that delivered a post first that day
  friend bool operator==(const AppDayUsage&, const AppDayUsage&) = default;
};

//! What a project may still consume now, from its plan, cycle and credits.
struct Budget {
  TimeMs cycle_start = 0;                 // UTC midnight of the cycle's first day
  std::optional<int64_t> read_cap;        // posts per cycle; nullopt = none (pay-per-use: credits decide)
  std::optional<int64_t> write_cap;
  bool reads_allowed = true;              // false: the plan reads nothing (free)
  bool overage = false;                   // past the read cap: billed, not refused
  std::optional<MicroUsd> credits_left;   // pay-per-use: credits added minus everything spent, now
  // Pay-per-use, race-free: all credits ever added. The meter subtracts TotalSpent under the
  // project's lock, so concurrent responses cannot overspend (credits_left, computed by the
  // caller before the lock, can). When both are set the smaller balance applies.
  std::optional<MicroUsd> credits_added;
};

struct UsageCharge {
  int64_t new_posts = 0;   // distinct posts this delivery adds to today
  int64_t new_users = 0;
  int64_t writes = 0;
  MicroUsd cost = 0;       // pay-per-use price of the above
  TimeMs day = 0;          // the UTC day it was counted on (for Refund)
  TimeMs cycle_start = 0;  // the cycle it was counted in (shared counters' Refund)
  bool fallback = false;   // shared counters: counted by the local fallback while Redis was down
};

class UsageMeter {
 public:
  //! Keeps the days of the last `retention_days` before each project's latest day (the
  //! server's meter); kEveryDay keeps them all (a rebuild for invoices: BillingUsage).
  explicit UsageMeter(const Clock& clock, int retention_days = kRetentionDays);
  ~UsageMeter();

  //! Decides and records one response's delivery for `project` by `app` at the clock's now:
  //! refused whole (nothing recorded) with kUsageCapped (X's 429 UsageCapExceeded) when the new
  //! distinct posts would take the cycle past the read cap (or writes past the write cap), and
  //! with kCreditsExhausted when pay-per-use credits (budget.credits_left) cannot cover the cost.
  //! Details: the read cap is checked only when the response adds posts, the write cap only
  //! when writes > 0, the credits only when the cost is > 0 (a response of posts already
  //! delivered today is free and always admitted). budget.overage lifts the read cap; the
  //! overage itself is not priced here (bill max(0, cycle posts_read - cap) from CycleTotals).
  //! The cycle is the days >= budget.cycle_start. Posts or users on a plan that reads nothing
  //! (!budget.reads_allowed), or writes < 0, are the caller's defect: 500 InternalError.
  //! A clock reading before the current dedupe day (wall clock stepped back over midnight)
  //! counts on the current dedupe day.
  Result<UsageCharge> Charge(Id project, Id app, const Plan& plan, const Budget& budget, std::span<const Id> posts,
                             std::span<const Id> users, int64_t writes);
  //! The same at `now`, a reading of the clock the caller already took (the request's time,
  //! which its ledger record carries), instead of the clock's now. A `now` before the current
  //! dedupe day (a reading taken before another thread's) counts on that day, as above.
  Result<UsageCharge> Charge(Id project, Id app, const Plan& plan, const Budget& budget, std::span<const Id> posts,
                             std::span<const Id> users, int64_t writes, TimeMs now);

  //! Releases `charge`, returned by Charge for `project` and `app`: its counts and money are
  //! taken off its day, its cycle and TotalSpent, as if it had never been made. Ids it added
  //! to the day's dedupe sets stay there (a later delivery of them that day costs nothing):
  //! refund charges of writes, which hold none, or a read whose record could not be written
  //! (the ledger then rebuilds the exact counts at the next start). Refund each charge once.
  void Refund(Id project, Id app, const UsageCharge& charge);

  //! Records a delivery that already happened (rebuilding from the ledger): never refuses.
  //! Replay records in the order they were charged (chronological): a record of a UTC day
  //! before the latest one seen for the project is counted on its own day without the
  //! cross-response dedupe (only that day's set can dedupe it, and it is gone).
  UsageCharge Replay(Id project, Id app, const Plan& plan, TimeMs at, std::span<const Id> posts,
                     std::span<const Id> users, int64_t writes);

  //! Posts read and written in the cycle starting at `cycle_start` up to now.
  DayUsage CycleTotals(Id project, TimeMs cycle_start) const;
  //! Per-day usage, oldest first, for days in [from, to). Days are kept for the retention
  //! before the project's latest day; older ones are dropped (TotalSpent keeps their money).
  std::vector<DayUsage> Days(Id project, TimeMs from, TimeMs to) const;
  //! Per app and day, days oldest first, apps by id; only apps that added posts that day.
  std::vector<AppDayUsage> AppDays(Id project, TimeMs from, TimeMs to) const;
  //! Everything spent by the project (pay-per-use), all days.
  MicroUsd TotalSpent(Id project) const;
  //! Bytes held by the distinct-id sets (for the memory benchmark).
  size_t DedupeBytes() const;

  //! The whole state, as bytes (usage snapshots, api/usage_snapshot.h): per project the
  //! days, per-app days, total spent and the current day's distinct post and user ids.
  //! Consistent per project (each project's lock is held while it is written), not across
  //! projects: save a meter no other thread changes. Cycle sums are recomputed on use.
  std::string Save() const;
  //! Replaces the state with one Save wrote. A Corruption naming what is wrong when the
  //! bytes are not such a state (the meter is then empty).
  Status Load(std::string_view bytes);

  static constexpr int kRetentionDays = 100;
  static constexpr int kEveryDay = 0;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

//! UTC midnight of the day holding t.
TimeMs UtcDay(TimeMs t);
//! The first day of the billing cycle holding `now` for a project whose cycle resets on day
//! `cap_reset_day` (1-28) of each month, as X's cap_reset_day: UTC midnight of the latest
//! day <= now's day whose day of month is cap_reset_day. Values outside 1-28 are clamped.
TimeMs CycleStart(TimeMs now, int cap_reset_day);
//! The first day of the cycle after the one that starts on `cycle_start` (its reset date).
TimeMs NextCycleStart(TimeMs cycle_start, int cap_reset_day);

}  // namespace sluice
