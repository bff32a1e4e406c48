#include "access/redis_client.h"

#include <hiredis/hiredis.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

#include "core/parse.h"

namespace sluice {

Status ParseRedisUrl(std::string_view url, RedisOptions& options) {
  constexpr std::string_view kScheme = "redis://";
  auto bad = [&](std::string_view why) {
    return CommandError("--limits " + std::string(url) + ": " + std::string(why) + " (expected redis://HOST:PORT)");
  };
  if (url.substr(0, kScheme.size()) != kScheme) return bad("not a redis:// URL");
  std::string_view rest = url.substr(kScheme.size());
  if (!rest.empty() && rest.back() == '/') rest.remove_suffix(1);
  if (rest.find_first_of("/@?#") != std::string_view::npos) return bad("only a host and a port are supported");
  std::string_view host = rest, port_text;
  if (auto colon = rest.rfind(':'); colon != std::string_view::npos) {
    host = rest.substr(0, colon);
    port_text = rest.substr(colon + 1);
  }
  if (host.empty()) return bad("no host");
  int port = 6379;
  if (!port_text.empty()) {
    auto parsed = ParseInt<int>(port_text, 1, 65535);
    if (parsed.error != IntError::kNone) return bad("the port must be 1-65535");
    port = parsed.value;
  }
  options.host = std::string(host);
  options.port = port;
  return Status::Ok();
}

namespace {

using Steady = std::chrono::steady_clock;

RedisReply Convert(const redisReply* r) {
  RedisReply out;
  switch (r->type) {
    case REDIS_REPLY_INTEGER:
      out.type = RedisReply::Type::kInteger;
      out.integer = r->integer;
      break;
    case REDIS_REPLY_STRING:
      out.type = RedisReply::Type::kString;
      out.str.assign(r->str, r->len);
      break;
    case REDIS_REPLY_STATUS:
      out.type = RedisReply::Type::kStatus;
      out.str.assign(r->str, r->len);
      break;
    case REDIS_REPLY_ERROR:
      out.type = RedisReply::Type::kError;
      out.str.assign(r->str, r->len);
      break;
    case REDIS_REPLY_ARRAY:
      out.type = RedisReply::Type::kArray;
      out.elements.reserve(r->elements);
      for (size_t i = 0; i < r->elements; ++i) out.elements.push_back(Convert(r->element[i]));
      break;
    default: break;
  }
  return out;
}

timeval Timeval(Steady::duration d) {
  auto us = std::max<int64_t>(1000, std::chrono::duration_cast<std::chrono::microseconds>(d).count());
  return timeval{time_t(us / 1'000'000), suseconds_t(us % 1'000'000)};
}

struct Op {
  int script = 0;
  std::vector<std::string> keys;
  std::vector<std::string> args;
  RedisClient::Done done;
  Steady::time_point deadline;
};

void Finish(Op& op, Result<RedisReply> r) {
  try {
    op.done(std::move(r));
  } catch (const std::exception& e) {
    spdlog::error("redis: a reply's callback threw: {}", e.what());
  }
}

Status Down(const std::string& why, int retry_after) {
  return ServiceUnavailable("The shared limits backend (Redis) is unavailable: " + why, retry_after);
}

}  // namespace

struct RedisClient::Impl {
  struct Conn {
    std::mutex mu;
    std::condition_variable cv;
    std::deque<Op> queue;  // guarded by mu
    std::thread thread;
    // Used by the connection's thread only.
    redisContext* ctx = nullptr;
    uint64_t generation = 0;
    std::vector<std::string> shas;
  };

  RedisOptions options;
  std::vector<std::string> scripts;
  std::vector<std::unique_ptr<Conn>> conns;
  std::atomic<bool> stop{false};
  std::atomic<bool> open{false};          // the breaker
  std::atomic<uint64_t> generation{0};    // moves when the breaker trips: connections reconnect
  std::atomic<int> timeouts{0};           // batches timed out in a row
  static constexpr int kTimeoutsToTrip = 3;

  int RetryAfter() const { return int(std::max<TimeMs>(1, (options.probe_interval_ms + 999) / 1000)); }

  void Trip(const std::string& why) {
    generation.fetch_add(1);
    if (!open.exchange(true)) spdlog::warn("redis {}:{} unavailable ({}): breaker open, probing every {} ms", options.host,
                                           options.port, why, options.probe_interval_ms);
  }

  static void Drop(Conn& c) {
    if (c.ctx) redisFree(c.ctx);
    c.ctx = nullptr;
  }

  // Connects and loads the scripts, within `budget`. Empty string: ok; else why not.
  std::string Connect(Conn& c, Steady::duration budget) {
    Drop(c);
    redisContext* ctx = redisConnectWithTimeout(options.host.c_str(), options.port, Timeval(budget));
    if (ctx == nullptr) return "cannot allocate a connection";
    if (ctx->err) {
      std::string why = ctx->errstr;
      redisFree(ctx);
      return why;
    }
    redisSetTimeout(ctx, Timeval(budget));
    for (const auto& s : scripts) redisAppendCommand(ctx, "SCRIPT LOAD %b", s.data(), s.size());
    std::vector<std::string> shas;
    for (size_t i = 0; i < scripts.size(); ++i) {
      void* raw = nullptr;
      if (redisGetReply(ctx, &raw) != REDIS_OK) {
        std::string why = ctx->errstr;
        redisFree(ctx);
        return why;
      }
      auto* r = static_cast<redisReply*>(raw);
      bool ok = r->type == REDIS_REPLY_STRING;
      std::string text(r->str ? r->str : "", r->str ? r->len : 0);
      freeReplyObject(r);
      if (!ok) {
        redisFree(ctx);
        return "SCRIPT LOAD failed: " + text;
      }
      shas.push_back(std::move(text));
    }
    c.ctx = ctx;
    c.shas = std::move(shas);
    c.generation = generation.load();
    return "";
  }

  // EVALSHA sha ... (by_sha) or EVAL source ...
  static void Append(redisContext* ctx, bool by_sha, const std::string& head, const Op& op) {
    std::vector<const char*> argv;
    std::vector<size_t> lens;
    const std::string nkeys = std::to_string(op.keys.size());
    argv.reserve(3 + op.keys.size() + op.args.size());
    auto add = [&](const std::string& s) {
      argv.push_back(s.data());
      lens.push_back(s.size());
    };
    add(by_sha ? kEvalSha : kEval);
    add(head);
    add(nkeys);
    for (const auto& k : op.keys) add(k);
    for (const auto& a : op.args) add(a);
    redisAppendCommandArgv(ctx, int(argv.size()), argv.data(), lens.data());
  }
  static inline const std::string kEvalSha = "EVALSHA";
  static inline const std::string kEval = "EVAL";

  // Sends `ops` as one pipeline and hands out the replies. Fails what is left on an I/O error.
  void RunBatch(Conn& c, std::vector<Op>& ops) {
    const auto now = Steady::now();
    std::vector<Op> live;
    for (auto& op : ops) {
      if (op.deadline <= now) Finish(op, Down("no reply within " + std::to_string(options.timeout_ms) + " ms", RetryAfter()));
      else live.push_back(std::move(op));
    }
    if (live.empty()) return;
    Steady::time_point deadline = live.front().deadline;
    for (const auto& op : live) deadline = std::min(deadline, op.deadline);
    auto fail_from = [&](size_t i, const std::string& why) {
      Drop(c);
      // Refused or reset: Redis is gone, open at once. Timed out: a slow moment (a loaded
      // host) is not an outage; kTimeoutsToTrip in a row are.
      if (Steady::now() < deadline || timeouts.fetch_add(1) + 1 >= kTimeoutsToTrip) Trip(why);
      for (; i < live.size(); ++i) Finish(live[i], Down(why, RetryAfter()));
    };
    if (c.ctx && c.generation != generation.load()) Drop(c);
    if (!c.ctx) {
      if (std::string why = Connect(c, deadline - Steady::now()); !why.empty()) return fail_from(0, why);
    }
    redisSetTimeout(c.ctx, Timeval(deadline - Steady::now()));
    for (const auto& op : live) Append(c.ctx, true, c.shas[size_t(op.script)], op);
    std::vector<Op*> retry;
    for (size_t i = 0; i < live.size(); ++i) {
      void* raw = nullptr;
      if (redisGetReply(c.ctx, &raw) != REDIS_OK) return fail_from(i, c.ctx->errstr);
      RedisReply reply = Convert(static_cast<redisReply*>(raw));
      freeReplyObject(raw);
      if (reply.type == RedisReply::Type::kError && reply.str.rfind("NOSCRIPT", 0) == 0) retry.push_back(&live[i]);
      else Finish(live[i], std::move(reply));
    }
    timeouts.store(0);
    if (retry.empty()) return;
    for (Op* op : retry) Append(c.ctx, false, scripts[size_t(op->script)], *op);
    for (size_t i = 0; i < retry.size(); ++i) {
      void* raw = nullptr;
      if (redisGetReply(c.ctx, &raw) != REDIS_OK) {
        Drop(c);
        Trip("connection lost");
        for (size_t j = i; j < retry.size(); ++j) Finish(*retry[j], Down("connection lost", RetryAfter()));
        return;
      }
      RedisReply reply = Convert(static_cast<redisReply*>(raw));
      freeReplyObject(raw);
      Finish(*retry[i], std::move(reply));
    }
  }

  // While the breaker is open: one connect + PING; success closes it.
  void Probe(Conn& c) {
    const auto budget = std::chrono::milliseconds(std::max<TimeMs>(options.timeout_ms, 1));
    if (!Connect(c, budget).empty()) return;
    auto* r = static_cast<redisReply*>(redisCommand(c.ctx, "PING"));
    bool ok = r != nullptr && r->type == REDIS_REPLY_STATUS;
    if (r) freeReplyObject(r);
    if (!ok) return Drop(c);
    c.generation = generation.fetch_add(1) + 1;  // every other connection reconnects
    timeouts.store(0);
    open.store(false);
    spdlog::info("redis {}:{} is back: breaker closed", options.host, options.port);
  }

  void Loop(Conn& c, bool prober) {
    const auto probe_every = std::chrono::milliseconds(std::max<TimeMs>(options.probe_interval_ms, 1));
    auto next_probe = Steady::now();
    std::vector<Op> batch;
    for (;;) {
      {
        std::unique_lock lock(c.mu);
        auto ready = [&] { return stop.load() || !c.queue.empty(); };
        if (prober && open.load()) c.cv.wait_until(lock, next_probe, ready);
        else if (prober) c.cv.wait_for(lock, probe_every, ready);
        else c.cv.wait(lock, ready);
        if (stop.load() && c.queue.empty()) break;
        while (!c.queue.empty() && batch.size() < 512) {
          batch.push_back(std::move(c.queue.front()));
          c.queue.pop_front();
        }
      }
      if (!batch.empty()) {
        if (open.load()) {
          for (auto& op : batch) Finish(op, Down("breaker open", RetryAfter()));
        } else {
          RunBatch(c, batch);
        }
        batch.clear();
      }
      if (prober && open.load() && Steady::now() >= next_probe && !stop.load()) {
        Probe(c);
        next_probe = Steady::now() + probe_every;
      }
    }
    std::lock_guard lock(c.mu);
    for (auto& op : c.queue) Finish(op, Down("shutting down", RetryAfter()));
    c.queue.clear();
    Drop(c);
  }
};

RedisClient::RedisClient(RedisOptions options, std::vector<std::string> scripts) : impl_(std::make_unique<Impl>()) {
  impl_->options = std::move(options);
  impl_->scripts = std::move(scripts);
  // spdlog's registry is made on first use: make it here, before the threads that log, so
  // they never race to make it (ThreadSanitizer reports that race in the uninstrumented library).
  spdlog::default_logger_raw();
  const int n = std::max(1, impl_->options.connections);
  for (int i = 0; i < n; ++i) impl_->conns.push_back(std::make_unique<Impl::Conn>());
  for (int i = 0; i < n; ++i) {
    Impl::Conn& c = *impl_->conns[size_t(i)];
    c.thread = std::thread([this, &c, i] { impl_->Loop(c, i == 0); });
  }
}

RedisClient::~RedisClient() {
  impl_->stop.store(true);
  for (auto& c : impl_->conns) {
    { std::lock_guard lock(c->mu); }
    c->cv.notify_all();
  }
  for (auto& c : impl_->conns) c->thread.join();
}

void RedisClient::Eval(int script, uint64_t shard, std::vector<std::string> keys, std::vector<std::string> args, Done done) {
  Impl& m = *impl_;
  if (m.open.load() || m.stop.load()) {
    done(Down("breaker open", m.RetryAfter()));
    return;
  }
  Op op{script, std::move(keys), std::move(args), std::move(done),
        Steady::now() + std::chrono::milliseconds(m.options.timeout_ms)};
  Impl::Conn& c = *m.conns[shard % m.conns.size()];
  {
    std::lock_guard lock(c.mu);
    c.queue.push_back(std::move(op));
  }
  c.cv.notify_one();
}

bool RedisClient::healthy() const { return !impl_->open.load(); }
int RedisClient::retry_after_seconds() const { return impl_->RetryAfter(); }

}  // namespace sluice
