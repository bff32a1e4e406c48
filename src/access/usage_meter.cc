#include "access/usage_meter.h"

#include <algorithm>
#include <chrono>
#include <cstring>
#include <limits>
#include <map>
#include <mutex>
#include <shared_mutex>
#include <unordered_map>
#include <utility>

#include "access/id_set.h"

namespace sluice {

TimeMs UtcDay(TimeMs t) {
  constexpr TimeMs kDayMs = 86'400'000;
  TimeMs q = t / kDayMs;
  if (t % kDayMs < 0) --q;  // floor, for times before the epoch
  return q * kDayMs;
}

TimeMs CycleStart(TimeMs now, int cap_reset_day) {
  using namespace std::chrono;
  const auto reset = std::chrono::day(unsigned(std::clamp(cap_reset_day, 1, 28)));
  const year_month_day today{floor<days>(sys_time<milliseconds>(milliseconds(now)))};
  year_month cycle_month = today.year() / today.month();
  if (today.day() < reset) cycle_month -= months(1);
  const sys_days start{cycle_month / reset};
  return duration_cast<milliseconds>(start.time_since_epoch()).count();
}

TimeMs NextCycleStart(TimeMs cycle_start, int cap_reset_day) {
  // 32 days on is in the next month, on or after its reset day (days 1-28): that cycle's start.
  return CycleStart(cycle_start + 32 * 86'400'000LL, cap_reset_day);
}

namespace {

constexpr TimeMs kDayMs = 86'400'000;
constexpr TimeMs kNoDay = std::numeric_limits<TimeMs>::min();

struct DayRecord {
  DayUsage usage;
  std::vector<std::pair<Id, int64_t>> apps;  // by app id: posts that app delivered first that day
};

// One project's usage. All members are guarded by `mu`.
struct ProjectUsage {
  std::mutex mu;
  TimeMs set_day = kNoDay;  // the UTC day `posts` and `users` hold
  IdSet posts;
  IdSet users;
  std::map<TimeMs, DayRecord> days;
  // Cached sums over days >= cycle_start, so Charge does not walk the days.
  bool cycle_cached = false;
  TimeMs cycle_start = 0;
  int64_t cycle_posts_read = 0;
  int64_t cycle_posts_written = 0;
  MicroUsd total_spent = 0;

  // Moves the sets to `day` (a later day clears them: earlier days keep only counters).
  // False when `day` is before the sets' day: no dedupe is possible for it.
  bool EnterDay(TimeMs day) {
    if (day < set_day) return false;
    if (day > set_day) {
      posts.Clear();
      users.Clear();
      set_day = day;
    }
    return true;
  }

  void CycleSums(TimeMs start) {
    if (cycle_cached && start == cycle_start) return;
    cycle_cached = true;
    cycle_start = start;
    cycle_posts_read = cycle_posts_written = 0;
    for (auto it = days.lower_bound(start); it != days.end(); ++it) {
      cycle_posts_read += it->second.usage.posts_read;
      cycle_posts_written += it->second.usage.posts_written;
    }
  }

  // `retention_days`: UsageMeter's; 0 keeps every day.
  void Add(TimeMs day, Id app, const UsageCharge& c, int retention_days) {
    total_spent += c.cost;
    const TimeMs newest = days.empty() ? kNoDay : days.rbegin()->first;
    const TimeMs horizon = newest == kNoDay || retention_days == 0 ? kNoDay : newest - retention_days * kDayMs;
    if (day < horizon) return;  // already past retention: only the money is kept
    auto it = days.end();
    if (day == newest) {
      it = std::prev(days.end());
    } else {
      it = days.try_emplace(day).first;
      it->second.usage.day = day;
      if (day > newest && retention_days > 0) Prune(day - retention_days * kDayMs);
    }
    DayUsage& u = it->second.usage;
    u.posts_read += c.new_posts;
    u.users_read += c.new_users;
    u.posts_written += c.writes;
    u.spent += c.cost;
    if (c.new_posts > 0) {
      auto& apps = it->second.apps;
      auto a = std::lower_bound(apps.begin(), apps.end(), app, [](const auto& e, Id id) { return e.first < id; });
      if (a == apps.end() || a->first != app) a = apps.emplace(a, app, 0);
      a->second += c.new_posts;
    }
    if (cycle_cached && day >= cycle_start) {
      cycle_posts_read += c.new_posts;
      cycle_posts_written += c.writes;
    }
  }

  // Takes `c` back off its day (Add's inverse; a day already pruned keeps nothing but money).
  void Remove(Id app, const UsageCharge& c) {
    total_spent -= c.cost;
    auto it = days.find(c.day);
    if (it == days.end()) return;
    DayUsage& u = it->second.usage;
    u.posts_read -= c.new_posts;
    u.users_read -= c.new_users;
    u.posts_written -= c.writes;
    u.spent -= c.cost;
    if (c.new_posts > 0) {
      auto& apps = it->second.apps;
      auto a = std::lower_bound(apps.begin(), apps.end(), app, [](const auto& e, Id id) { return e.first < id; });
      if (a != apps.end() && a->first == app && (a->second -= c.new_posts) <= 0) apps.erase(a);
    }
    if (cycle_cached && c.day >= cycle_start) {
      cycle_posts_read -= c.new_posts;
      cycle_posts_written -= c.writes;
    }
  }

  void Prune(TimeMs horizon) {
    auto end = days.lower_bound(horizon);
    if (end == days.begin()) return;
    days.erase(days.begin(), end);
    cycle_cached = false;  // recomputed on next use (a cycle never spans 100 days anyway)
  }
};

// The distinct ids of `ids` that `seen` lacks (all of them when `seen` is null), into `out`.
// Mostly-seen pages cost one probe per id and no sort.
void NewIds(const IdSet* seen, std::span<const Id> ids, std::vector<uint64_t>& out) {
  out.clear();
  for (Id id : ids)
    if (seen == nullptr || !seen->Contains(uint64_t(id))) out.push_back(uint64_t(id));
  if (out.size() > 1) {
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
  }
}

MicroUsd Cost(const Plan& plan, const UsageCharge& c) {
  return c.new_posts * plan.post_read_price + c.new_users * plan.user_read_price + c.writes * plan.post_create_price;
}

}  // namespace

struct UsageMeter::Impl {
  Impl(const Clock& c, int retention) : clock(c), retention_days(retention) {}

  ProjectUsage& Get(Id project) {
    {
      std::shared_lock lock(mu);
      auto it = projects.find(project);
      if (it != projects.end()) return *it->second;
    }
    std::unique_lock lock(mu);
    auto& slot = projects[project];
    if (!slot) slot = std::make_unique<ProjectUsage>();
    return *slot;
  }

  // nullptr when the project has no usage. Projects are never removed, so the pointer stays valid.
  ProjectUsage* Find(Id project) const {
    std::shared_lock lock(mu);
    auto it = projects.find(project);
    return it == projects.end() ? nullptr : it->second.get();
  }

  const Clock& clock;
  const int retention_days;
  mutable std::shared_mutex mu;  // guards the map; each ProjectUsage has its own mutex
  std::unordered_map<Id, std::unique_ptr<ProjectUsage>> projects;
};

UsageMeter::UsageMeter(const Clock& clock, int retention_days)
    : impl_(std::make_unique<Impl>(clock, std::max(0, retention_days))) {}
UsageMeter::~UsageMeter() = default;

Result<UsageCharge> UsageMeter::Charge(Id project, Id app, const Plan& plan, const Budget& budget,
                                       std::span<const Id> posts, std::span<const Id> users, int64_t writes) {
  return Charge(project, app, plan, budget, posts, users, writes, impl_->clock.NowMs());
}

Result<UsageCharge> UsageMeter::Charge(Id project, Id app, const Plan& plan, const Budget& budget,
                                       std::span<const Id> posts, std::span<const Id> users, int64_t writes,
                                       TimeMs now) {
  if (writes < 0) return InternalError("usage meter: negative writes");
  if (!budget.reads_allowed && (!posts.empty() || !users.empty()))
    return InternalError("usage meter: a delivery of posts or users on a plan that reads nothing");

  thread_local std::vector<uint64_t> new_posts;
  thread_local std::vector<uint64_t> new_users;
  ProjectUsage& p = impl_->Get(project);
  std::lock_guard lock(p.mu);
  // Never before the sets' day, so the decisions of one project see non-decreasing days.
  const TimeMs day = std::max(UtcDay(now), p.set_day);
  p.EnterDay(day);
  NewIds(&p.posts, posts, new_posts);
  NewIds(&p.users, users, new_users);

  UsageCharge c;
  c.new_posts = int64_t(new_posts.size());
  c.new_users = int64_t(new_users.size());
  c.writes = writes;
  c.cost = Cost(plan, c);
  c.day = day;
  c.cycle_start = budget.cycle_start;

  p.CycleSums(budget.cycle_start);
  if (c.new_posts > 0 && budget.read_cap && !budget.overage && p.cycle_posts_read + c.new_posts > *budget.read_cap)
    return UsageCapExceeded();
  if (c.writes > 0 && budget.write_cap && p.cycle_posts_written + c.writes > *budget.write_cap)
    return UsageCapExceeded();
  if (c.cost > 0 && (budget.credits_left || budget.credits_added)) {
    MicroUsd left = std::numeric_limits<MicroUsd>::max();
    if (budget.credits_left) left = *budget.credits_left;
    if (budget.credits_added) left = std::min(left, *budget.credits_added - p.total_spent);
    if (c.cost > left) return CreditsExhausted(left, c.cost);
  }

  for (uint64_t id : new_posts) p.posts.Insert(id);
  for (uint64_t id : new_users) p.users.Insert(id);
  p.Add(day, app, c, impl_->retention_days);
  return c;
}

void UsageMeter::Refund(Id project, Id app, const UsageCharge& charge) {
  ProjectUsage& p = impl_->Get(project);
  std::lock_guard lock(p.mu);
  p.Remove(app, charge);
}

UsageCharge UsageMeter::Replay(Id project, Id app, const Plan& plan, TimeMs at, std::span<const Id> posts,
                               std::span<const Id> users, int64_t writes) {
  thread_local std::vector<uint64_t> new_posts;
  thread_local std::vector<uint64_t> new_users;
  ProjectUsage& p = impl_->Get(project);
  std::lock_guard lock(p.mu);
  const TimeMs day = UtcDay(at);
  const bool dedupe = p.EnterDay(day);
  NewIds(dedupe ? &p.posts : nullptr, posts, new_posts);
  NewIds(dedupe ? &p.users : nullptr, users, new_users);

  UsageCharge c;
  c.new_posts = int64_t(new_posts.size());
  c.new_users = int64_t(new_users.size());
  c.writes = std::max<int64_t>(writes, 0);
  c.cost = Cost(plan, c);
  c.day = day;
  if (dedupe) {
    for (uint64_t id : new_posts) p.posts.Insert(id);
    for (uint64_t id : new_users) p.users.Insert(id);
  }
  p.Add(day, app, c, impl_->retention_days);
  return c;
}

DayUsage UsageMeter::CycleTotals(Id project, TimeMs cycle_start) const {
  DayUsage total;
  total.day = cycle_start;
  ProjectUsage* p = impl_->Find(project);
  if (p == nullptr) return total;
  std::lock_guard lock(p->mu);
  for (auto it = p->days.lower_bound(cycle_start); it != p->days.end(); ++it) {
    const DayUsage& u = it->second.usage;
    total.posts_read += u.posts_read;
    total.users_read += u.users_read;
    total.posts_written += u.posts_written;
    total.spent += u.spent;
  }
  return total;
}

std::vector<DayUsage> UsageMeter::Days(Id project, TimeMs from, TimeMs to) const {
  std::vector<DayUsage> out;
  ProjectUsage* p = impl_->Find(project);
  if (p == nullptr) return out;
  std::lock_guard lock(p->mu);
  for (auto it = p->days.lower_bound(from); it != p->days.end() && it->first < to; ++it)
    out.push_back(it->second.usage);
  return out;
}

std::vector<AppDayUsage> UsageMeter::AppDays(Id project, TimeMs from, TimeMs to) const {
  std::vector<AppDayUsage> out;
  ProjectUsage* p = impl_->Find(project);
  if (p == nullptr) return out;
  std::lock_guard lock(p->mu);
  for (auto it = p->days.lower_bound(from); it != p->days.end() && it->first < to; ++it)
    for (const auto& [app, posts_read] : it->second.apps) out.push_back({app, it->first, posts_read});
  return out;
}

MicroUsd UsageMeter::TotalSpent(Id project) const {
  ProjectUsage* p = impl_->Find(project);
  if (p == nullptr) return 0;
  std::lock_guard lock(p->mu);
  return p->total_spent;
}

size_t UsageMeter::DedupeBytes() const {
  std::shared_lock lock(impl_->mu);
  size_t bytes = 0;
  for (const auto& [id, p] : impl_->projects) {
    std::lock_guard project_lock(p->mu);
    bytes += p->posts.Bytes() + p->users.Bytes();
  }
  return bytes;
}


// ---- Save and Load: little-endian 64-bit words, so a saved state is read without parsing.
// "SLUICEUM" | u64 format version 1 | u64 projects | per project, by id: project id, set day,
// total spent, posts held, the post ids, users held, the user ids, days held, and per day:
// day, posts read, users read, posts written, spent, apps, and per app: app id, posts read.

namespace {

constexpr std::string_view kMeterMagic = "SLUICEUM";
constexpr uint64_t kMeterFormat = 1;

void PutWord(std::string& out, uint64_t v) {
  char b[8];
  for (int i = 0; i < 8; ++i) b[i] = char(v >> (8 * i));
  out.append(b, 8);
}

// Reads words from a saved state; the first read past the end makes ok() false for good.
class WordReader {
 public:
  explicit WordReader(std::string_view bytes) : bytes_(bytes) {}
  uint64_t Next() {
    if (bytes_.size() - pos_ < 8) {
      ok_ = false;
      return 0;
    }
    uint64_t v = 0;
    for (int i = 0; i < 8; ++i) v |= uint64_t(uint8_t(bytes_[pos_ + i])) << (8 * i);
    pos_ += 8;
    return v;
  }
  int64_t NextSigned() { return int64_t(Next()); }
  //! A count of items of `words` words each: false when the bytes left cannot hold them.
  bool Fits(uint64_t count, uint64_t words) const { return ok_ && count <= (bytes_.size() - pos_) / 8 / words; }
  bool ok() const { return ok_; }
  bool done() const { return pos_ == bytes_.size(); }

 private:
  std::string_view bytes_;
  size_t pos_ = 0;
  bool ok_ = true;
};

void PutSet(std::string& out, const IdSet& set) {
  PutWord(out, set.size());
  set.ForEach([&](uint64_t id) { PutWord(out, id); });
}

bool ReadSet(WordReader& in, IdSet& set) {
  const uint64_t n = in.Next();
  if (!in.Fits(n, 1)) return false;
  set.Reserve(n);
  for (uint64_t i = 0; i < n; ++i) set.Insert(in.Next());
  return set.size() == n;  // a repeated id is not a saved set
}

}  // namespace

std::string UsageMeter::Save() const {
  std::vector<std::pair<Id, ProjectUsage*>> projects;
  {
    std::shared_lock lock(impl_->mu);
    for (const auto& [id, p] : impl_->projects) projects.emplace_back(id, p.get());
  }
  std::sort(projects.begin(), projects.end());
  std::string out(kMeterMagic);
  PutWord(out, kMeterFormat);
  PutWord(out, projects.size());
  for (const auto& [id, p] : projects) {
    std::lock_guard lock(p->mu);
    PutWord(out, uint64_t(id));
    PutWord(out, uint64_t(p->set_day));
    PutWord(out, uint64_t(p->total_spent));
    PutSet(out, p->posts);
    PutSet(out, p->users);
    PutWord(out, p->days.size());
    for (const auto& [day, d] : p->days) {
      PutWord(out, uint64_t(day));
      PutWord(out, uint64_t(d.usage.posts_read));
      PutWord(out, uint64_t(d.usage.users_read));
      PutWord(out, uint64_t(d.usage.posts_written));
      PutWord(out, uint64_t(d.usage.spent));
      PutWord(out, d.apps.size());
      for (const auto& [app, posts] : d.apps) {
        PutWord(out, uint64_t(app));
        PutWord(out, uint64_t(posts));
      }
    }
  }
  return out;
}

Status UsageMeter::Load(std::string_view bytes) {
  std::unordered_map<Id, std::unique_ptr<ProjectUsage>> projects;
  auto bad = [&](std::string_view why) {
    std::unique_lock lock(impl_->mu);
    impl_->projects.clear();
    return Corruption("usage meter state: " + std::string(why));
  };
  if (!bytes.starts_with(kMeterMagic)) return bad("no SLUICEUM header");
  WordReader in(bytes.substr(kMeterMagic.size()));
  if (in.Next() != kMeterFormat) return bad("not format version 1");
  const uint64_t n = in.Next();
  if (!in.Fits(n, 6)) return bad("more projects than the bytes hold");
  for (uint64_t i = 0; i < n; ++i) {
    const Id id = in.NextSigned();
    auto p = std::make_unique<ProjectUsage>();
    p->set_day = in.NextSigned();
    p->total_spent = in.NextSigned();
    if (!ReadSet(in, p->posts) || !ReadSet(in, p->users)) return bad("a set of ids is cut short or repeats an id");
    const uint64_t days = in.Next();
    if (!in.Fits(days, 6)) return bad("more days than the bytes hold");
    for (uint64_t k = 0; k < days; ++k) {
      const TimeMs day = in.NextSigned();
      if (!p->days.empty() && day <= p->days.rbegin()->first) return bad("days out of order");
      DayRecord& d = p->days[day];
      d.usage.day = day;
      d.usage.posts_read = in.NextSigned();
      d.usage.users_read = in.NextSigned();
      d.usage.posts_written = in.NextSigned();
      d.usage.spent = in.NextSigned();
      const uint64_t apps = in.Next();
      if (!in.Fits(apps, 2)) return bad("more apps than the bytes hold");
      for (uint64_t a = 0; a < apps; ++a) {
        const Id app = in.NextSigned();
        const int64_t posts = in.NextSigned();
        if (!d.apps.empty() && app <= d.apps.back().first) return bad("apps out of order");
        d.apps.emplace_back(app, posts);
      }
    }
    if (!in.ok()) return bad("cut short");
    if (!projects.try_emplace(id, std::move(p)).second) return bad("a project twice");
  }
  if (!in.ok() || !in.done()) return bad(in.ok() ? "bytes after the last project" : "cut short");
  std::unique_lock lock(impl_->mu);
  impl_->projects = std::move(projects);
  return Status::Ok();
}

}  // namespace sluice
