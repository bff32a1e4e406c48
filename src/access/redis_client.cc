#include "access/redis_client.h"

#include <hiredis/hiredis.h>
#include <fcntl.h>
#include <poll.h>
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
  RedisClient::Late late;  // may be empty
  // No caller waits on it (Send, or made by a late callback): it does not expire in the
  // queue, and should it time out, its `done` gets the reply when it comes (Unavailable when
  // it never does).
  bool patient = false;
  // Made by a `late` callback on its own connection (the undo of what the late command did):
  // patient, queued ahead of what waited during the stall, so that it lands before, and sent
  // even while the breaker is open (the connection just answered).
  bool first = false;
};

enum class Read { kReply, kTimeout, kLost };

// Waits for `events` on the context's socket until `until`: kReply when ready.
Read Wait(redisContext* ctx, short events, Steady::time_point until) {
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - Steady::now()).count();
    if (left <= 0) return Read::kTimeout;
    pollfd p{ctx->fd, events, 0};
    int n = poll(&p, 1, int(std::min<int64_t>(left, 1'000'000)));
    if (n > 0) return Read::kReply;  // ready, or an error hiredis's next call reports
    if (n < 0 && errno != EINTR) return Read::kLost;
  }
}

// Sends what is buffered and reads the next reply, until `until`. Unlike redisGetReply on a
// socket timeout, a kTimeout leaves the context usable: the reply can still be read later.
Read ReadReply(redisContext* ctx, Steady::time_point until, redisReply** out) {
  int written = 0;
  while (!written) {
    if (redisBufferWrite(ctx, &written) != REDIS_OK) return Read::kLost;
    if (!written) {
      if (Read r = Wait(ctx, POLLOUT, until); r != Read::kReply) return r;
    }
  }
  for (;;) {
    void* raw = nullptr;
    if (redisGetReplyFromReader(ctx, &raw) != REDIS_OK) return Read::kLost;
    if (raw != nullptr) {
      *out = static_cast<redisReply*>(raw);
      return Read::kReply;
    }
    if (Read r = Wait(ctx, POLLIN, until); r != Read::kReply) return r;
    if (redisBufferRead(ctx) != REDIS_OK) return Read::kLost;
  }
}

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
    std::deque<Op> abandoned;  // sent, timed out, replies still to read (in order)
    Steady::time_point patience_until;
  };

  RedisOptions options;
  std::vector<std::string> scripts;
  std::vector<std::unique_ptr<Conn>> conns;
  std::atomic<bool> stop{false};
  std::atomic<bool> open{false};          // the breaker
  std::atomic<uint64_t> generation{0};    // moves when the breaker trips: connections reconnect
  std::atomic<int> timeouts{0};           // batches timed out in a row
  std::atomic<uint64_t> late_replies{0}, unknown_outcomes{0};
  static constexpr int kTimeoutsToTrip = 3;
  // Set on a connection's thread while it runs a `late` callback: that connection, and how
  // many ops the callbacks of this drain put at the front of its queue.
  static inline thread_local Conn* t_late_conn = nullptr;
  static inline thread_local size_t t_late_firsts = 0;

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
    // From here on the socket is non-blocking and every wait is a poll (ReadReply): a timeout
    // then leaves the connection usable, for the replies that come late.
    if (int fl = fcntl(ctx->fd, F_GETFL); fl >= 0 && fcntl(ctx->fd, F_SETFL, fl | O_NONBLOCK) == 0) {
      ctx->flags &= ~REDIS_BLOCK;  // hiredis 0.14 has no call for it: a blocking context treats EAGAIN as an error
    } else {
      redisFree(ctx);
      return "cannot make the socket non-blocking";
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

  // One batch timed out; kTimeoutsToTrip in a row open the breaker (one slow moment, a
  // loaded host, is not an outage).
  void CountTimeout(const std::string& why) {
    if (timeouts.fetch_add(1) + 1 >= kTimeoutsToTrip) Trip(why);
  }

  // Replies that will never come: the commands may or may not have run.
  void Unknown(size_t n, const std::string& why) {
    if (n == 0) return;
    unknown_outcomes.fetch_add(n);
    spdlog::warn("redis: {} command(s) sent without a reply ({}): they may have run, what they counted stays", n, why);
  }

  // Answers ops[from..] Unavailable now and keeps them, so that the connection's thread
  // reads their replies later (Drain) and hands them to `late`.
  template <typename OpRef>
  void Abandon(Conn& c, std::vector<OpRef>& ops, size_t from, const std::string& why) {
    c.patience_until = Steady::now() + std::chrono::milliseconds(options.late_reply_patience_ms);
    for (size_t i = from; i < ops.size(); ++i) {
      Op& op = Deref(ops[i]);
      if (!op.patient) Finish(op, Down(why, RetryAfter()));  // a patient one gets its reply
      c.abandoned.push_back(std::move(op));
    }
  }
  static Op& Deref(Op& op) { return op; }
  static Op& Deref(Op* op) { return *op; }

  // Sends `ops` as one pipeline and hands out the replies. On a timeout, the rest are
  // abandoned (answered Unavailable, their replies read later); on an I/O error, failed.
  void RunBatch(Conn& c, std::vector<Op>& ops) {
    const auto now = Steady::now();
    const std::string late = "no reply within " + std::to_string(options.timeout_ms) + " ms";
    std::vector<Op> live;
    for (auto& op : ops) {
      if (op.patient && op.deadline <= now) op.deadline = now + std::chrono::milliseconds(options.timeout_ms);
      if (op.deadline <= now) Finish(op, Down(late, RetryAfter()));
      else live.push_back(std::move(op));
    }
    if (live.empty()) return;
    Steady::time_point deadline = live.front().deadline;
    for (const auto& op : live) deadline = std::min(deadline, op.deadline);
    bool sent = false;
    auto fail_from = [&](size_t i, const std::string& why) {
      Drop(c);
      // Refused or reset: Redis is gone, open at once. Timed out: counted.
      if (Steady::now() < deadline) Trip(why);
      else CountTimeout(why);
      if (sent) Unknown(live.size() - i, why);
      for (; i < live.size(); ++i) Finish(live[i], Down(why, RetryAfter()));
    };
    if (c.ctx && c.generation != generation.load()) Drop(c);
    if (!c.ctx) {
      if (std::string why = Connect(c, deadline - Steady::now()); !why.empty()) return fail_from(0, why);
    }
    for (const auto& op : live) Append(c.ctx, true, c.shas[size_t(op.script)], op);
    sent = true;
    std::vector<Op*> retry;
    auto fail_retry = [&](const std::string& why) {  // NOSCRIPT: they did not run
      for (Op* op : retry) Finish(*op, Down(why, RetryAfter()));
    };
    for (size_t i = 0; i < live.size(); ++i) {
      redisReply* raw = nullptr;
      Read got = ReadReply(c.ctx, deadline, &raw);
      if (got == Read::kTimeout) {
        CountTimeout(late);
        fail_retry(late);
        return Abandon(c, live, i, late);
      }
      if (got == Read::kLost) {
        const std::string why = c.ctx->errstr[0] ? c.ctx->errstr : "connection lost";
        fail_retry(why);
        return fail_from(i, why);
      }
      RedisReply reply = Convert(raw);
      freeReplyObject(raw);
      if (reply.type == RedisReply::Type::kError && reply.str.rfind("NOSCRIPT", 0) == 0) retry.push_back(&live[i]);
      else Finish(live[i], std::move(reply));
    }
    timeouts.store(0);
    if (retry.empty()) return;
    for (Op* op : retry) Append(c.ctx, false, scripts[size_t(op->script)], *op);
    for (size_t i = 0; i < retry.size(); ++i) {
      redisReply* raw = nullptr;
      Read got = ReadReply(c.ctx, deadline, &raw);
      if (got == Read::kTimeout) {
        CountTimeout(late);
        return Abandon(c, retry, i, late);
      }
      if (got == Read::kLost) {
        Drop(c);
        Trip("connection lost");
        Unknown(retry.size() - i, "connection lost");
        for (size_t j = i; j < retry.size(); ++j) Finish(*retry[j], Down("connection lost", RetryAfter()));
        return;
      }
      RedisReply reply = Convert(raw);
      freeReplyObject(raw);
      Finish(*retry[i], std::move(reply));
    }
  }

  // Fails the queued ops whose deadline passed (all of them once the breaker is open), while
  // the thread is busy draining; a wake-up that fails some counts as one timed-out batch.
  void ExpireQueued(Conn& c) {
    std::vector<Op> expired;
    const auto now = Steady::now();
    const bool down = open.load();
    {
      std::lock_guard lock(c.mu);
      std::deque<Op> kept;
      for (auto& op : c.queue) {
        if (!op.patient && (down || op.deadline <= now)) expired.push_back(std::move(op));
        else kept.push_back(std::move(op));
      }
      c.queue.swap(kept);
    }
    if (expired.empty()) return;
    const std::string why = down ? "breaker open" : "no reply within " + std::to_string(options.timeout_ms) + " ms";
    if (!down) CountTimeout(why);
    for (auto& op : expired) Finish(op, Down(why, RetryAfter()));
  }

  // Reads the abandoned ops' replies, in order, and hands them to their `late` callbacks,
  // until all came, the connection is lost, or the patience runs out (then their outcome
  // is unknown and the connection is dropped). Wakes at least every timeout_ms to fail the
  // queued ops at their deadline: an op queued during a wait has its deadline after it.
  void Drain(Conn& c) {
    t_late_firsts = 0;
    while (!c.abandoned.empty()) {
      auto until = std::min(c.patience_until, Steady::now() + std::chrono::milliseconds(std::max<TimeMs>(options.timeout_ms, 1)));
      {
        std::lock_guard lock(c.mu);
        for (const auto& op : c.queue) {
          if (!op.patient) until = std::min(until, op.deadline);
        }
      }
      redisReply* raw = nullptr;
      Read got = stop.load() ? Read::kLost : ReadReply(c.ctx, until, &raw);
      if (got == Read::kReply) {
        RedisReply reply = Convert(raw);
        freeReplyObject(raw);
        Op op = std::move(c.abandoned.front());
        c.abandoned.pop_front();
        if (op.patient) {
          Finish(op, std::move(reply));
        } else {
          late_replies.fetch_add(1);
          if (op.late) {
            t_late_conn = &c;  // what the callback sends on this connection goes first (Eval)
            try {
              op.late(std::move(reply));
            } catch (const std::exception& e) {
              spdlog::error("redis: a late reply's callback threw: {}", e.what());
            }
            t_late_conn = nullptr;
          }
        }
        if (c.abandoned.empty()) c.generation = generation.load();  // it answered: no reconnect for the breaker's trips
      } else if (got == Read::kLost || Steady::now() >= c.patience_until) {
        const std::string why = got == Read::kLost ? (stop.load() ? "shutting down" : "connection lost")
                                                   : "no reply within " + std::to_string(options.late_reply_patience_ms) +
                                                         " ms after the timeout";
        Unknown(c.abandoned.size(), why);
        for (auto& op : c.abandoned) {
          if (op.patient) Finish(op, Down(why, RetryAfter()));
        }
        c.abandoned.clear();
        Drop(c);
      }
      ExpireQueued(c);
    }
  }

  void Enqueue(int script, uint64_t shard, std::vector<std::string> keys, std::vector<std::string> args,
               RedisClient::Done done, RedisClient::Late late, bool patient) {
    Conn& c = *conns[shard % conns.size()];
    const bool first = t_late_conn == &c;
    // A patient command is tried even while the breaker is open: the breaker may have opened
    // on a stall its connection is still reading late replies from (a release then lands).
    // Against a Redis really down it fails as fast as a connect does.
    if ((open.load() && !first && !patient) || stop.load()) {
      done(Down("breaker open", RetryAfter()));
      return;
    }
    Op op{script,          std::move(keys), std::move(args), std::move(done),
          Steady::now() + std::chrono::milliseconds(options.timeout_ms), std::move(late), patient || first, first};
    {
      std::lock_guard lock(c.mu);
      if (first) {
        const size_t at = std::min(t_late_firsts++, c.queue.size());
        c.queue.insert(c.queue.begin() + ptrdiff_t(at), std::move(op));
      } else {
        c.queue.push_back(std::move(op));
      }
    }
    c.cv.notify_one();
  }

  // While the breaker is open: one connect + PING; success closes it.
  void Probe(Conn& c) {
    const auto budget = std::chrono::milliseconds(std::max<TimeMs>(options.timeout_ms, 1));
    // A connection still open (it just read its late replies) is probed as it is.
    if (!c.ctx && !Connect(c, budget).empty()) return;
    redisAppendCommand(c.ctx, "PING");
    redisReply* r = nullptr;
    bool ok = ReadReply(c.ctx, Steady::now() + budget, &r) == Read::kReply && r->type == REDIS_REPLY_STATUS;
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
      Drain(c);  // the replies owed to commands that timed out come before anything new
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
          std::vector<Op> patient;  // queued before the breaker opened, on a connection perhaps alive
          for (auto& op : batch) {
            if (op.patient) patient.push_back(std::move(op));
            else Finish(op, Down("breaker open", RetryAfter()));
          }
          if (!patient.empty()) RunBatch(c, patient);
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

void RedisClient::Eval(int script, uint64_t shard, std::vector<std::string> keys, std::vector<std::string> args, Done done,
                       Late late) {
  impl_->Enqueue(script, shard, std::move(keys), std::move(args), std::move(done), std::move(late), false);
}

void RedisClient::Send(int script, uint64_t shard, std::vector<std::string> keys, std::vector<std::string> args,
                       Done done) {
  impl_->Enqueue(script, shard, std::move(keys), std::move(args), std::move(done), nullptr, true);
}

bool RedisClient::healthy() const { return !impl_->open.load(); }
int RedisClient::retry_after_seconds() const { return impl_->RetryAfter(); }
uint64_t RedisClient::late_replies() const { return impl_->late_replies.load(); }
uint64_t RedisClient::unknown_outcomes() const { return impl_->unknown_outcomes.load(); }

}  // namespace sluice
