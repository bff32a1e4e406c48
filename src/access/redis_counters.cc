#include "access/redis_counters.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>

#include "core/mix.h"

namespace sluice {
namespace {

// Lua numbers are doubles: every value here (ms times, bucket indexes, micro-dollars) stays
// below 2^53, and below 10^14, where tostring() still writes an integer's digits.

// KEYS[1] the window's hash. ARGV: now, W, w, N. RateLimiter::Acquire, on one key: the decision
// time is now raised to the start of the newest bucket; buckets lo..newest overlapping
// [t - W, t] are counted (the oldest in full); admit iff their sum < N, then count one in
// bucket floor(t / w). Buckets <= b - 16 can never be counted again (lo >= b - 15 as W <= 15w)
// and are deleted; the key is dead at (b + 16) w and expires a second later (slack for nodes
// whose clocks differ: a dead key decides as a missing one, so expiring later changes no
// decision). A refusal writes nothing. Returns {allowed, remaining, reset, bucket}.
constexpr const char* kRateScript = R"lua(
local k = KEYS[1]
local now, window, width, limit = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local newest = tonumber(redis.call('HGET', k, 'n'))
local t = now
if newest and newest * width > t then t = newest * width end
local b = math.floor(t / width)
local sum, oldest = 0, nil
if newest then
  local lo = math.floor((t - window) / width)
  local fields = {}
  for i = lo, newest do fields[#fields + 1] = tostring(i) end
  if #fields > 0 then
    local counts = redis.call('HMGET', k, unpack(fields))
    for j = 1, #fields do
      local c = tonumber(counts[j] or '0')
      if c > 0 and not oldest then oldest = lo + j - 1 end
      sum = sum + c
    end
  end
end
if sum >= limit then
  local reset = t
  if oldest then reset = (oldest + 1) * width + window end
  return {0, 0, reset, b}
end
redis.call('HINCRBY', k, tostring(b), 1)
if not newest or b > newest then
  redis.call('HSET', k, 'n', tostring(b))
  local stale = {}
  for _, f in ipairs(redis.call('HKEYS', k)) do
    if f ~= 'n' and tonumber(f) <= b - 16 then stale[#stale + 1] = f end
  end
  if #stale > 0 then redis.call('HDEL', k, unpack(stale)) end
end
redis.call('PEXPIRE', k, (b + 16) * width - now + 1000)
if not oldest then oldest = b end
return {1, limit - sum - 1, (oldest + 1) * width + window, b}
)lua";

// KEYS[1] the window's hash. ARGV: the bucket of the admission given back.
constexpr const char* kReleaseScript = R"lua(
local c = tonumber(redis.call('HGET', KEYS[1], ARGV[1]) or '0')
if c > 0 then redis.call('HINCRBY', KEYS[1], ARGV[1], -1) end
return c
)lua";

// KEYS: posts set, users set, cycle hash, spending hash. ARGV: 1 read cap (-1: none), 2 write
// cap, 3 overage (1: the read cap is not enforced), 4 credits added (-1: not pay-per-use), 5-7
// prices (post read, user read, post create), 8 writes, 9-11 TTLs of the day's sets, the cycle
// and the spending (ms), 12-14 this node's own r, w and spent (its meter, rebuilt from its
// ledger), 15 this node's id, 16-18 r, w and spent this node counted alone while Redis was
// unreachable (open mode) and not yet added here, 19 the number of post ids, then the post
// ids, then the user ids.
// The cycle hash holds r and w, the spending hash t; both hold a mark m<node> per node whose
// own share is in them. A node without its mark (Redis lost the key, or the node never
// charged in it) adds its share once, with its first charge: so a Redis restarted empty gets
// every node's share back, each once. A node with its mark adds instead what it counted
// alone during an outage (16-18; its share already holds that when it has no mark). An
// admitted charge always writes these additions; a refusal writes nothing.
// Returns {1, new posts, new users, cost, post ids..., user ids...}, {-1} (cap) or
// {-2, balance, cost} (credits). A refusal writes nothing.
constexpr const char* kChargeScript = R"lua(
local np = tonumber(ARGV[19])
local posts, users, seen = {}, {}, {}
for i = 20, 19 + np do
  local id = ARGV[i]
  if not seen[id] then
    seen[id] = true
    if redis.call('SISMEMBER', KEYS[1], id) == 0 then posts[#posts + 1] = id end
  end
end
seen = {}
for i = 20 + np, #ARGV do
  local id = ARGV[i]
  if not seen[id] then
    seen[id] = true
    if redis.call('SISMEMBER', KEYS[2], id) == 0 then users[#users + 1] = id end
  end
end
local mark = 'm' .. ARGV[15]
local writes = tonumber(ARGV[8])
local read_cap, write_cap, credits = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[4])
local cycle_marked = redis.call('HEXISTS', KEYS[3], mark) == 1
local add_r, add_w = ARGV[16], ARGV[17]
if not cycle_marked then add_r, add_w = ARGV[12], ARGV[13] end
local r = tonumber(redis.call('HGET', KEYS[3], 'r') or '0') + tonumber(add_r)
local w = tonumber(redis.call('HGET', KEYS[3], 'w') or '0') + tonumber(add_w)
if #posts > 0 and read_cap >= 0 and ARGV[3] == '0' and r + #posts > read_cap then return {-1} end
if writes > 0 and write_cap >= 0 and w + writes > write_cap then return {-1} end
local cost = #posts * tonumber(ARGV[5]) + #users * tonumber(ARGV[6]) + writes * tonumber(ARGV[7])
local spent_marked = redis.call('HEXISTS', KEYS[4], mark) == 1
local add_spent = ARGV[18]
if not spent_marked then add_spent = ARGV[14] end
if cost > 0 and credits >= 0 then
  local spent = tonumber(redis.call('HGET', KEYS[4], 't') or '0') + tonumber(add_spent)
  local left = credits - spent
  if cost > left then return {-2, left, cost} end
end
local function add(key, ids)
  for i = 1, #ids, 1000 do
    redis.call('SADD', key, unpack(ids, i, math.min(i + 999, #ids)))
  end
  redis.call('PEXPIRE', key, ARGV[9])
end
if #posts > 0 then add(KEYS[1], posts) end
if #users > 0 then add(KEYS[2], users) end
if #posts > 0 or writes > 0 or add_r ~= '0' or add_w ~= '0' then
  if not cycle_marked then redis.call('HSET', KEYS[3], mark, '1') end
  redis.call('HINCRBY', KEYS[3], 'r', tonumber(add_r) + #posts)
  redis.call('HINCRBY', KEYS[3], 'w', tonumber(add_w) + writes)
  redis.call('PEXPIRE', KEYS[3], ARGV[10])
end
if cost > 0 or add_spent ~= '0' then
  if not spent_marked then redis.call('HSET', KEYS[4], mark, '1') end
  redis.call('HINCRBY', KEYS[4], 't', tonumber(add_spent) + cost)
  redis.call('PEXPIRE', KEYS[4], ARGV[11])
end
local out = {1, #posts, #users, cost}
for _, id in ipairs(posts) do out[#out + 1] = id end
for _, id in ipairs(users) do out[#out + 1] = id end
return out
)lua";

// KEYS: cycle hash, spending hash. ARGV: posts, writes, cost taken back. A key Redis lost is
// left alone: the charge is refunded from the node's meter too, so its share, added when
// the node next charges, no longer holds it.
constexpr const char* kRefundScript = R"lua(
if redis.call('EXISTS', KEYS[1]) == 1 then
  redis.call('HINCRBY', KEYS[1], 'r', 0 - tonumber(ARGV[1]))  -- not -x: Redis refuses "-0"
  redis.call('HINCRBY', KEYS[1], 'w', 0 - tonumber(ARGV[2]))
end
if tonumber(ARGV[3]) > 0 and redis.call('EXISTS', KEYS[2]) == 1 then
  redis.call('HINCRBY', KEYS[2], 't', 0 - tonumber(ARGV[3]))
end
return 1
)lua";

// KEYS: posts set, users set, cycle hash, spending hash. ARGV: 1-3 posts, writes and cost of
// an admitted charge whose caller was answered Unavailable (its reply came late), 4 the
// number of post ids, then the post ids, then the user ids: the ones it reported new. Takes
// back exactly its delivery: the ids from the day's sets, the counts and the cost. Not the
// share or the carry it added with them, nor its mark: those are the node's past usage and
// belong here either way. A key Redis lost is left alone (as kRefundScript).
constexpr const char* kUndoChargeScript = R"lua(
local np = tonumber(ARGV[4])
local function remove(key, from, to)
  for i = from, to, 1000 do
    redis.call('SREM', key, unpack(ARGV, i, math.min(i + 999, to)))
  end
end
remove(KEYS[1], 5, 4 + np)
remove(KEYS[2], 5 + np, #ARGV)
if redis.call('EXISTS', KEYS[3]) == 1 then
  redis.call('HINCRBY', KEYS[3], 'r', 0 - tonumber(ARGV[1]))
  redis.call('HINCRBY', KEYS[3], 'w', 0 - tonumber(ARGV[2]))
end
if tonumber(ARGV[3]) > 0 and redis.call('EXISTS', KEYS[4]) == 1 then
  redis.call('HINCRBY', KEYS[4], 't', 0 - tonumber(ARGV[3]))
end
return 1
)lua";

enum Script { kRate = 0, kRelease, kCharge, kRefund, kUndoCharge };

constexpr int kBuckets = RateLimiter::kBuckets;
constexpr TimeMs kMaxWindowMs = TimeMs{1} << 42;
constexpr TimeMs kDayMs = 86'400'000;
constexpr TimeMs kCycleTtlMs = 32 * kDayMs;
constexpr TimeMs kSpentTtlMs = 400 * kDayMs;

int64_t Width(TimeMs window) { return (window + kBuckets - 1) / kBuckets; }

std::string RateKey(const std::string& prefix, uint64_t key, TimeMs window) {
  return fmt::format("{}rl:{:016x}:{}", prefix, Mix64(key), Width(window));
}

std::string CycleKey(const std::string& prefix, Id project, TimeMs cycle_start) {
  return fmt::format("{}cy:{}:{}", prefix, project, cycle_start);
}

std::string SpentKey(const std::string& prefix, Id project) { return fmt::format("{}sp:{}", prefix, project); }

bool IsInt(const RedisReply& r) { return r.type == RedisReply::Type::kInteger; }

// A reply that is not what the script returns: the script or Redis is broken, not down.
Status BadReply(const RedisReply& r) {
  spdlog::error("redis: unexpected script reply (type {}): {}", int(r.type), r.str);
  return ServiceUnavailable("The shared limits backend (Redis) gave an unexpected reply.", 1);
}

Id ParseId(const RedisReply& r) {
  if (IsInt(r)) return Id(r.integer);
  Id v = 0;
  for (char c : r.str) v = v * 10 + Id(c - '0');
  return v;
}

}  // namespace

RedisCounters::RedisCounters(RedisCountersOptions options, RateLimiter& limiter, UsageMeter& meter)
    : options_(std::move(options)), fallback_(limiter, meter, std::max(1, options_.nodes)), meter_(meter) {
  static_assert(kUndoCharge + 1 == kLeaseScript, "the fast mode's scripts follow these");
  std::vector<std::string> scripts = {kRateScript, kReleaseScript, kChargeScript, kRefundScript, kUndoChargeScript};
  for (auto& s : LeaseScripts()) scripts.push_back(std::move(s));
  client_ = std::make_unique<RedisClient>(options_.redis, std::move(scripts));
  if (options_.fast) sweeper_ = std::thread([this] { Sweep(); });
}

RedisCounters::~RedisCounters() {
  {
    std::lock_guard lock(sweep_mu_);
    stop_ = true;
  }
  sweep_cv_.notify_all();
  if (sweeper_.joinable()) sweeper_.join();
}

std::string RedisCounters::WindowKey(uint64_t key, TimeMs window_ms) const { return RateKey(options_.prefix, key, window_ms); }

bool RedisCounters::healthy() const { return client_->healthy(); }
uint64_t RedisCounters::late_replies() const { return client_->late_replies(); }
uint64_t RedisCounters::unknown_outcomes() const { return client_->unknown_outcomes(); }

std::string RedisCounters::MetricsText() const {
  return fmt::format(
      "# HELP sluice_redis_late_replies_total Redis replies that came after their request's timeout (what they counted is "
      "taken back).\n# TYPE sluice_redis_late_replies_total counter\nsluice_redis_late_replies_total {}\n"
      "# HELP sluice_redis_unknown_outcomes_total Redis commands sent whose reply never came (what they counted, if they "
      "ran, stays).\n# TYPE sluice_redis_unknown_outcomes_total counter\nsluice_redis_unknown_outcomes_total {}\n",
      late_replies(), unknown_outcomes());
}

void RedisCounters::Acquire(const RateQuery& q, Done<LimitDecision> done) {
  if (q.limit <= 0 || q.window_ms <= 0 || q.window_ms > kMaxWindowMs) {
    done(LimitDecision{false, std::max<int64_t>(q.limit, 0), 0, q.now});
    return;
  }
  if (options_.fast) return AcquireLeased(q, std::move(done));
  std::vector<std::string> args = {std::to_string(q.now), std::to_string(q.window_ms), std::to_string(Width(q.window_ms)),
                                   std::to_string(q.limit)};
  client_->Eval(kRate, Mix64(q.key), {RateKey(options_.prefix, q.key, q.window_ms)}, std::move(args),
                [this, q, done = std::move(done)](Result<RedisReply> r) {
                  if (!r.ok()) {
                    if (!options_.fail_open) return done(r.status());
                    return fallback_.Acquire(q, [&done](Result<LimitDecision> d) {
                      if (d.ok()) d->fallback = true;
                      done(std::move(d));
                    });
                  }
                  const auto& e = r->elements;
                  if (r->type != RedisReply::Type::kArray || e.size() != 4 || !IsInt(e[0]) || !IsInt(e[1]) ||
                      !IsInt(e[2]) || !IsInt(e[3]))
                    return done(BadReply(*r));
                  LimitDecision d;
                  d.allowed = e[0].integer == 1;
                  d.limit = q.limit;
                  d.remaining = e[1].integer;
                  d.reset = e[2].integer;
                  d.bucket = e[3].integer;
                  done(d);
                },
                [this, q](RedisReply late) {
                  // Its caller was answered Unavailable (or decided locally): an admission
                  // Redis made for it is given back.
                  const auto& e = late.elements;
                  if (late.type == RedisReply::Type::kArray && e.size() == 4 && IsInt(e[0]) && e[0].integer == 1 && IsInt(e[3])) {
                    LimitDecision d;
                    d.allowed = true;
                    d.bucket = e[3].integer;
                    Release(q, d);
                  }
                });
}

void RedisCounters::Release(const RateQuery& q, const LimitDecision& admitted) {
  if (!admitted.allowed || q.window_ms <= 0 || q.window_ms > kMaxWindowMs) return;
  if (admitted.fallback) return fallback_.Release(q, admitted);
  if (options_.fast && leases_.Release(q, admitted)) return;  // its lease admits one more
  client_->Send(kRelease, Mix64(q.key), {RateKey(options_.prefix, q.key, q.window_ms)}, {std::to_string(admitted.bucket)},
                [](Result<RedisReply> r) {
                  // Lost with Redis: the admission stays counted (conservative) until its bucket expires.
                  if (!r.ok()) spdlog::warn("redis: a rate-limit admission could not be given back: {}", r.status().message());
                  else if (r->type == RedisReply::Type::kError) (void)BadReply(*r);
                });
}

void RedisCounters::Charge(const ChargeQuery& q, Done<UsageCharge> done) {
  if (q.writes < 0) return done(InternalError("usage meter: negative writes"));
  if (!q.budget.reads_allowed && (!q.posts.empty() || !q.users.empty()))
    return done(InternalError("usage meter: a delivery of posts or users on a plan that reads nothing"));
  const Plan& plan = *q.plan;
  const Budget& b = q.budget;
  const TimeMs day = UtcDay(q.now);
  const DayUsage cycle = meter_.CycleTotals(q.project, b.cycle_start);
  std::vector<std::string> keys = {fmt::format("{}dp:{}:{}", options_.prefix, q.project, day),
                                   fmt::format("{}du:{}:{}", options_.prefix, q.project, day),
                                   CycleKey(options_.prefix, q.project, b.cycle_start), SpentKey(options_.prefix, q.project)};
  std::vector<std::string> args;
  args.reserve(19 + q.posts.size() + q.users.size());
  args.push_back(std::to_string(b.read_cap.value_or(-1)));
  args.push_back(std::to_string(b.write_cap.value_or(-1)));
  args.push_back(b.overage ? "1" : "0");
  // The balance is credits added minus what Redis says every node spent (credits_left is
  // this node's view only).
  args.push_back(std::to_string(b.credits_added.value_or(-1)));
  args.push_back(std::to_string(plan.post_read_price));
  args.push_back(std::to_string(plan.user_read_price));
  args.push_back(std::to_string(plan.post_create_price));
  args.push_back(std::to_string(q.writes));
  args.push_back(std::to_string(std::max<TimeMs>(1, day + 2 * kDayMs - q.now)));
  args.push_back(std::to_string(kCycleTtlMs));
  args.push_back(std::to_string(kSpentTtlMs));
  args.push_back(std::to_string(cycle.posts_read));
  args.push_back(std::to_string(cycle.posts_written));
  args.push_back(std::to_string(meter_.TotalSpent(q.project)));
  args.push_back(std::to_string(options_.node_id));
  const Carry carry = TakeCarry(q.project, b.cycle_start);
  args.push_back(std::to_string(carry.r));
  args.push_back(std::to_string(carry.w));
  args.push_back(std::to_string(carry.spent));
  args.push_back(std::to_string(q.posts.size()));
  for (Id id : q.posts) args.push_back(std::to_string(id));
  for (Id id : q.users) args.push_back(std::to_string(id));

  struct Call {
    Id project, app;
    const Plan* plan;
    Budget budget;
    std::vector<Id> posts, users;  // for the fallback
    int64_t writes;
    TimeMs now, day;
    Carry carry;  // given back unless Redis admitted the charge
  };
  auto call = std::make_shared<Call>(Call{q.project, q.app, q.plan, b, std::vector<Id>(q.posts.begin(), q.posts.end()),
                                          std::vector<Id>(q.users.begin(), q.users.end()), q.writes, q.now, day, carry});
  client_->Eval(kCharge, Mix64(uint64_t(q.project)), std::move(keys), std::move(args), [this, call, done = std::move(done)](Result<RedisReply> r) {
    const bool admitted = r.ok() && r->type == RedisReply::Type::kArray && !r->elements.empty() &&
                          IsInt(r->elements[0]) && r->elements[0].integer == 1;
    // Not added (or, after a timeout, perhaps added: then the late reply takes it out again).
    if (!admitted) AddCarry(call->project, call->carry);
    if (!r.ok()) {
      if (!options_.fail_open) return done(r.status());
      ChargeQuery local{call->project, call->app, call->plan, call->budget, call->posts, call->users, call->writes, call->now};
      return fallback_.Charge(local, [this, &call, &done](Result<UsageCharge> c) {
        if (c.ok()) {
          c->fallback = true;
          AddCarry(call->project, {c->cycle_start, c->new_posts, c->writes, c->cost});
        }
        done(std::move(c));
      });
    }
    const auto& e = r->elements;
    if (r->type != RedisReply::Type::kArray || e.empty() || !IsInt(e[0])) return done(BadReply(*r));
    if (e[0].integer == -1) return done(UsageCapExceeded());
    if (e[0].integer == -2 && e.size() == 3 && IsInt(e[1]) && IsInt(e[2])) return done(CreditsExhausted(e[1].integer, e[2].integer));
    if (e[0].integer != 1 || e.size() < 4 || !IsInt(e[1]) || !IsInt(e[2]) || !IsInt(e[3]) ||
        e.size() != size_t(4 + e[1].integer + e[2].integer))
      return done(BadReply(*r));
    UsageCharge c;
    c.new_posts = e[1].integer;
    c.new_users = e[2].integer;
    c.writes = call->writes;
    c.cost = e[3].integer;
    c.day = call->day;
    c.cycle_start = call->budget.cycle_start;
    std::vector<Id> posts, users;
    for (size_t i = 4; i < 4 + size_t(c.new_posts); ++i) posts.push_back(ParseId(e[i]));
    for (size_t i = 4 + size_t(c.new_posts); i < e.size(); ++i) users.push_back(ParseId(e[i]));
    // This node's mirror: its usage figures, and the seeds should Redis lose the counters.
    meter_.Replay(call->project, call->app, *call->plan, call->now, posts, users, c.writes);
    done(c);
  }, [this, call](RedisReply late) {
    UndoLateCharge(call->project, call->budget.cycle_start, call->day, call->writes, call->carry, late);
  });
}

void RedisCounters::UndoLateCharge(Id project, TimeMs cycle_start, TimeMs day, int64_t writes, const Carry& carry,
                                   const RedisReply& late) {
  const auto& e = late.elements;
  if (late.type != RedisReply::Type::kArray || e.size() < 4 || !IsInt(e[0]) || e[0].integer != 1) return;  // wrote nothing
  if (!IsInt(e[1]) || !IsInt(e[2]) || !IsInt(e[3]) || e.size() != size_t(4 + e[1].integer + e[2].integer)) {
    (void)BadReply(late);
    return;
  }
  // Redis took the carry with it (as the node's own share, or as what it counted alone),
  // and the failed call put it back here: out again, or it would be added twice.
  AddCarry(project, {carry.cycle_start, -carry.r, -carry.w, -carry.spent});
  std::vector<std::string> args = {std::to_string(e[1].integer), std::to_string(writes), std::to_string(e[3].integer),
                                   std::to_string(e[1].integer)};
  args.reserve(4 + e.size());
  for (size_t i = 4; i < e.size(); ++i) args.push_back(std::to_string(ParseId(e[i])));
  std::vector<std::string> keys = {fmt::format("{}dp:{}:{}", options_.prefix, project, day),
                                   fmt::format("{}du:{}:{}", options_.prefix, project, day),
                                   CycleKey(options_.prefix, project, cycle_start), SpentKey(options_.prefix, project)};
  client_->Send(kUndoCharge, Mix64(uint64_t(project)), std::move(keys), std::move(args), [](Result<RedisReply> r) {
    // Lost too: the charge stays counted (conservative), as a reply that never came.
    if (!r.ok()) spdlog::warn("redis: a charge that came after its timeout could not be taken back: {}", r.status().message());
    else if (r->type == RedisReply::Type::kError) (void)BadReply(*r);
  });
}

RedisCounters::Carry RedisCounters::TakeCarry(Id project, TimeMs cycle_start) {
  std::lock_guard lock(carry_mu_);
  auto it = carry_.find(project);
  if (it == carry_.end()) return {cycle_start};
  Carry c = it->second;
  carry_.erase(it);
  if (c.cycle_start != cycle_start) c.r = c.w = 0;  // another cycle's posts no longer count
  c.cycle_start = cycle_start;
  return c;
}

void RedisCounters::AddCarry(Id project, const Carry& c) {
  if (c.r == 0 && c.w == 0 && c.spent == 0) return;
  std::lock_guard lock(carry_mu_);
  auto [it, fresh] = carry_.try_emplace(project, c);
  if (fresh) return;
  Carry& e = it->second;
  e.spent += c.spent;
  if (c.cycle_start == e.cycle_start) {
    e.r += c.r;
    e.w += c.w;
  } else if (c.cycle_start > e.cycle_start) {  // the newer cycle's counts are the ones that matter
    e.cycle_start = c.cycle_start;
    e.r = c.r;
    e.w = c.w;
  }
}

void RedisCounters::Refund(Id project, Id app, const UsageCharge& charge) {
  meter_.Refund(project, app, charge);  // the mirror, or the fallback's own charge
  if (charge.fallback) return AddCarry(project, {charge.cycle_start, -charge.new_posts, -charge.writes, -charge.cost});
  if (charge.new_posts == 0 && charge.writes == 0 && charge.cost == 0) return;
  client_->Send(kRefund, Mix64(uint64_t(project)), {CycleKey(options_.prefix, project, charge.cycle_start), SpentKey(options_.prefix, project)},
                {std::to_string(charge.new_posts), std::to_string(charge.writes), std::to_string(charge.cost)},
                [](Result<RedisReply> r) {
                  if (!r.ok()) spdlog::warn("redis: a charge could not be given back: {}", r.status().message());
                  else if (r->type == RedisReply::Type::kError) (void)BadReply(*r);
                });
}

}  // namespace sluice
