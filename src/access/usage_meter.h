#pragma once
//! UsageMeter: what each project has been delivered, for post caps, pay-per-use credits and
//! the usage endpoint. X's rule: a post delivered to a project several times in one UTC day
//! counts once; so does a user (pay-per-use). Posts written count against the write cap.
//! The meter holds, per project, the distinct post and user ids of the current UTC day only
//! (at most 16 bytes per distinct id), and per day and app plain counters. It is rebuilt from
//! the ledger at start (the ledger is the source of truth), so it survives kill -9.
//! Thread-safe: Charge is atomic per project (decide and record under one lock).

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
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
};

struct AppDayUsage {
  Id app_id = 0;
  TimeMs day = 0;
  int64_t posts_read = 0;      // distinct for the project: the app that delivered a post first that day
};

//! What a project may still consume now, from its plan, cycle and credits.
struct Budget {
  TimeMs cycle_start = 0;                 // UTC midnight of the cycle's first day
  std::optional<int64_t> read_cap;        // posts per cycle; nullopt = none (pay-per-use: credits decide)
  std::optional<int64_t> write_cap;
  bool reads_allowed = true;              // false: the plan reads nothing (free)
  bool overage = false;                   // past the read cap: billed, not refused
  std::optional<MicroUsd> credits_left;   // pay-per-use: credits added minus everything spent, now
};

struct UsageCharge {
  int64_t new_posts = 0;   // distinct posts this delivery adds to today
  int64_t new_users = 0;
  int64_t writes = 0;
  MicroUsd cost = 0;       // pay-per-use price of the above
};

class UsageMeter {
 public:
  explicit UsageMeter(const Clock& clock);
  ~UsageMeter();

  //! Decides and records one response's delivery for `project` by `app` at the clock's now:
  //! refused whole (nothing recorded) with X's 429 UsageCapExceeded when the new distinct
  //! posts would take the cycle past the read cap (or writes past the write cap), and with a
  //! 402 problem when pay-per-use credits (budget.credits_left) cannot cover the cost.
  Result<UsageCharge> Charge(Id project, Id app, const Plan& plan, const Budget& budget, std::span<const Id> posts,
                             std::span<const Id> users, int64_t writes);

  //! Records a delivery that already happened (rebuilding from the ledger): never refuses.
  UsageCharge Replay(Id project, Id app, const Plan& plan, TimeMs at, std::span<const Id> posts,
                     std::span<const Id> users, int64_t writes);

  //! Posts read and written in the cycle starting at `cycle_start` up to now.
  DayUsage CycleTotals(Id project, TimeMs cycle_start) const;
  //! Per-day usage, oldest first, for days in [from, to).
  std::vector<DayUsage> Days(Id project, TimeMs from, TimeMs to) const;
  std::vector<AppDayUsage> AppDays(Id project, TimeMs from, TimeMs to) const;
  //! Everything spent by the project (pay-per-use), all days.
  MicroUsd TotalSpent(Id project) const;
  //! Bytes held by the distinct-id sets (for the memory benchmark).
  size_t DedupeBytes() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

//! UTC midnight of the day holding t.
TimeMs UtcDay(TimeMs t);
//! The first day of the billing cycle holding `now` for a project whose cycle resets on day
//! `cap_reset_day` (1-28) of each month, as X's cap_reset_day.
TimeMs CycleStart(TimeMs now, int cap_reset_day);

}  // namespace sluice
