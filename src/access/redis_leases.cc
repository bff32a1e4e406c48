// RedisCounters' fast mode: rate windows leased in batches (redis_counters.h, rate_leases.h).
#include <spdlog/spdlog.h>

#include <chrono>

#include "access/redis_counters.h"
#include "core/mix.h"

namespace sluice {
namespace {

// KEYS[1] the window's hash. ARGV: now, W, w, N, K. kRateScript's decision (the same buckets,
// the same sum, the same clamp of now to the newest bucket, the same expiry), for K
// admissions at once: when the sum is below N it counts g = min(K, N - sum) in bucket b and
// returns {g, N - sum, reset, b}; a full window writes nothing and returns {0, 0, reset, b}.
constexpr const char* kLeaseLua = R"lua(
local k = KEYS[1]
local now, window, width, limit = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local want = tonumber(ARGV[5])
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
local grant = math.min(want, limit - sum)
redis.call('HINCRBY', k, tostring(b), grant)
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
return {grant, limit - sum, (oldest + 1) * width + window, b}
)lua";

// KEYS[1] the window's hash. ARGV: a bucket, the unused admissions of a lease counted there.
// Never below zero (Redis may have lost the key meanwhile). Returns what was subtracted.
constexpr const char* kGiveBackLua = R"lua(
local c = tonumber(redis.call('HGET', KEYS[1], ARGV[1]) or '0')
local n = math.min(c, tonumber(ARGV[2]))
if n > 0 then redis.call('HINCRBY', KEYS[1], ARGV[1], 0 - n) end
return n
)lua";

// How often the sweeper looks for leases whose bucket ended (the shortest bucket of a
// plan's window is a minute: this returns them within a small part of the next one).
constexpr auto kSweepEvery = std::chrono::milliseconds(100);

bool IsIntReply(const RedisReply& r) { return r.type == RedisReply::Type::kInteger; }

}  // namespace

std::vector<std::string> RedisCounters::LeaseScripts() { return {kLeaseLua, kGiveBackLua}; }

void RedisCounters::AcquireLeased(const RateQuery& q, Done<LimitDecision> done) {
  auto r = leases_.Acquire(q, std::move(done));
  Send(r.returns, r.ask);
  if (r.admitted) r.done(*r.admitted);
}

void RedisCounters::Send(const std::vector<LeaseReturn>& returns, const std::optional<RateQuery>& ask) {
  for (const LeaseReturn& back : returns) {
    // Send: waited on by no request, so it never expires in the queue (redis_client.h).
    client_->Send(kGiveBackScript, Mix64(back.key), {WindowKey(back.key, back.window_ms)},
                  {std::to_string(back.bucket), std::to_string(back.unused)}, [](Result<RedisReply> r) {
                    // Lost with Redis: the unused admissions stay counted (conservative) until
                    // their bucket leaves the window.
                    if (!r.ok()) spdlog::warn("redis: unused leased admissions could not be given back: {}", r.status().message());
                    else if (r->type == RedisReply::Type::kError) spdlog::error("redis: give-back script: {}", r->str);
                  });
  }
  if (ask) AskLease(*ask);
}

void RedisCounters::AskLease(const RateQuery& q) {
  const int64_t k = LeaseSize(q.limit, options_.lease_percent, options_.nodes);
  std::vector<std::string> args = {std::to_string(q.now), std::to_string(q.window_ms),
                                   std::to_string(LeaseBucketWidth(q.window_ms)), std::to_string(q.limit), std::to_string(k)};
  // The same shard as the key's give-backs: one connection, in order.
  client_->Eval(kLeaseScript, Mix64(q.key), {WindowKey(q.key, q.window_ms)}, std::move(args),
                [this, q](Result<RedisReply> r) { OnLease(q, std::move(r)); },
                // A grant that came after the request timed out (its waiters were decided
                // without it): none of its places was used, so all go back.
                [this, q](RedisReply late) {
                  if (late.type != RedisReply::Type::kArray || late.elements.size() != 4 || !IsIntReply(late.elements[0]) ||
                      !IsIntReply(late.elements[3]) || late.elements[0].integer <= 0)
                    return;
                  Send({LeaseReturn{q.key, q.window_ms, late.elements[3].integer, late.elements[0].integer}}, std::nullopt);
                });
}

void RedisCounters::OnLease(const RateQuery& q, Result<RedisReply> r) {
  const bool good = r.ok() && r->type == RedisReply::Type::kArray && r->elements.size() == 4 &&
                    IsIntReply(r->elements[0]) && IsIntReply(r->elements[1]) && IsIntReply(r->elements[2]) &&
                    IsIntReply(r->elements[3]);
  if (!good) {
    // Every request waiting for this lease is decided as strict mode decides without Redis.
    Status failure = r.ok() ? ServiceUnavailable("The shared limits backend (Redis) gave an unexpected reply.", 1)
                            : r.status();
    if (r.ok()) spdlog::error("redis: unexpected lease reply (type {}): {}", int(r->type), r->str);
    for (auto& waiter : leases_.Failed(q)) {
      Done<LimitDecision>& done = waiter.second;
      if (!r.ok() && options_.fail_open) {
        fallback_.Acquire(waiter.first, [&done](Result<LimitDecision> d) {
          if (d.ok()) d->fallback = true;
          done(std::move(d));
        });
      } else {
        done(failure);
      }
    }
    return;
  }
  const auto& e = r->elements;
  auto g = leases_.Granted(q, LeaseGrant{e[0].integer, e[1].integer, e[2].integer, e[3].integer});
  Send(g.returns, g.ask);
  for (auto& a : g.answers) a.done(a.decision);
}

void RedisCounters::Sweep() {
  const Clock& clock = options_.clock ? *options_.clock : SystemClock::Instance();
  std::unique_lock lock(sweep_mu_);
  while (!sweep_cv_.wait_for(lock, kSweepEvery, [this] { return stop_; })) {
    lock.unlock();
    auto back = leases_.Expire(clock.NowMs());
    if (!back.empty()) {
      Send(back, std::nullopt);
      for (const RateQuery& ask : leases_.Resume(back)) AskLease(ask);
    }
    lock.lock();
  }
}

}  // namespace sluice
