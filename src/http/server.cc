#include "http/server.h"

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <pthread.h>
#include <signal.h>
#include <sys/resource.h>

#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <chrono>
#include <list>
#include <thread>

#include "access/plans.h"
#include "api/exchange.h"
#include "api/stream_hub.h"
#include "access/rate_limiter.h"
#include "api/metrics.h"
#include "core/clock.h"
#include "core/json_writer.h"
#include "core/listen_address.h"
#include "core/snowflake.h"
#include "core/time_format.h"
#include "http/connections.h"
#include "http/problem.h"
#include "http/request.h"
#include "http/router.h"
#include "http/stream_writer.h"
#include "http/wire.h"

namespace sluice {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using namespace std::chrono_literals;

namespace {

// A host as it appears in a URL: an IPv6 address in brackets.
std::string HostForUrl(const std::string& host) {
  return host.find(':') == std::string::npos ? host : "[" + host + "]";
}

struct Worker;

//! What a session needs from its worker, without knowing the stream type.
class SessionBase {
 public:
  virtual ~SessionBase() = default;
  //! Closes the connection if it is waiting for a new request; ends its stream if it sends one
  //! (X's operational disconnect, then the connection closes).
  virtual void CloseIfIdle() = 0;
};

// Stages that wait resume through this: on the worker's own event loop.
class AsioExecutor final : public Executor {
 public:
  explicit AsioExecutor(asio::io_context& ioc) : ioc_(ioc) {}
  void Post(std::function<void()> fn) override { asio::post(ioc_, std::move(fn)); }
  void PostAfter(TimeMs delay_ms, std::function<void()> fn) override {
    auto timer = std::make_shared<asio::steady_timer>(ioc_, std::chrono::milliseconds(delay_ms));
    timer->async_wait([timer, fn = std::move(fn)](beast::error_code) { fn(); });
  }
  std::shared_ptr<void> KeepRunning() override {
    return std::make_shared<asio::executor_work_guard<asio::io_context::executor_type>>(ioc_.get_executor());
  }

 private:
  asio::io_context& ioc_;
};

struct Worker {
  asio::io_context ioc{1};
  AsioExecutor executor{ioc};
  std::unique_ptr<Store> store;
  std::unique_ptr<WorkerState> state;
  const Router* router = nullptr;
  Metrics* metrics = nullptr;
  std::list<std::weak_ptr<SessionBase>> sessions;  // this thread only
  uint64_t next_request = 0;
  int index = 0;
  bool draining = false;  // this thread only
};

// Writes the low `digits` hex digits of v.
void PutHex(char* p, uint64_t v, int digits) {
  for (int i = digits - 1; i >= 0; --i, v >>= 4) p[i] = "0123456789abcdef"[v & 0xf];
}

// 20 hex digits: the process's start (ms, 12), the worker (2), its request count (6). Every
// request has one: by hand, not snprintf.
std::string RequestId(Worker& w) {
  static const uint64_t kStartMs = uint64_t(SystemClock::Instance().NowMs());
  std::string id(20, '0');
  PutHex(id.data(), kStartMs, 12);
  PutHex(id.data() + 12, uint64_t(w.index) & 0xff, 2);
  PutHex(id.data() + 14, ++w.next_request & 0xffffff, 6);
  return id;
}

// `stream_end`: for a stream, why it ended (logged when it closes).
void AccessLog(std::string_view id, const http::request<http::string_body>& req, int status, size_t bytes,
               std::chrono::steady_clock::duration took, std::string_view stream_end = {}) {
  JsonWriter w;
  w.BeginObject();
  w.Member("time", FormatTime(SystemClock::Instance().NowMs()));
  w.Member("request_id", id);
  w.Member("method", std::string_view(req.method_string()));
  std::string_view target = req.target();
  w.Member("path", target.substr(0, target.find('?')));
  w.MemberInt("status", status);
  w.MemberInt("bytes", int64_t(bytes));
  w.MemberInt("us", std::chrono::duration_cast<std::chrono::microseconds>(took).count());
  if (!stream_end.empty()) w.Member("stream_end", stream_end);
  w.EndObject();
  spdlog::get("access")->info(w.str());
}

template <typename Stream>
class Session : public SessionBase, public std::enable_shared_from_this<Session<Stream>> {
 public:
  Session(Stream stream, Worker& worker, const Config& config, ConnectionSlot slot, bool admin_listener)
      : stream_(std::move(stream)), worker_(worker), config_(config), slot_(std::move(slot)), admin_listener_(admin_listener) {}

  void Start() {
    // The first request's header is due header_timeout_ms after accept, TLS handshake included:
    // a client that connects and sends nothing holds its connection no longer than a slow one.
    Expire(config_.server.header_timeout_ms);
    if constexpr (std::is_same_v<Stream, beast::tcp_stream>) {
      AwaitRequest(/*first=*/true);
    } else {
      stream_.async_handshake(asio::ssl::stream_base::server,
                              [self = this->shared_from_this()](beast::error_code ec) {
                                self->CountIfTimedOut(ec);
                                if (ec) return;  // not a TLS client, or it went away: nothing to answer
                                self->AwaitRequest(/*first=*/true);
                              });
    }
  }

  void CloseIfIdle() override {
    if (auto w = stream_writer_.lock()) return w->Drain();
    if (idle_) beast::get_lowest_layer(stream_).cancel();
  }

 private:
  void CountIfTimedOut(beast::error_code ec) {
    if (ec == beast::error::timeout) worker_.metrics->CountConnection(Metrics::Connection::kTimedOut);
  }

  void Expire(int64_t ms) { beast::get_lowest_layer(stream_).expires_after(std::chrono::milliseconds(ms)); }

  // Waits for a request's first bytes, idle (a drain closes the connection meanwhile). Between
  // requests on a kept-alive connection: up to idle_timeout_ms, and the header is then due
  // header_timeout_ms after them. The first request: under Start's deadline throughout.
  void AwaitRequest(bool first) {
    if (worker_.draining) return Close();
    idle_ = true;
    if (!first) Expire(config_.server.idle_timeout_ms);
    stream_.async_read_some(buffer_.prepare(4096), [self = this->shared_from_this(), first](beast::error_code ec, size_t n) {
      self->idle_ = false;
      if (ec) return self->OnReadError(ec);
      self->buffer_.commit(n);
      if (!first) self->Expire(self->config_.server.header_timeout_ms);
      self->ReadHeader();
    });
  }

  // Reads a header under the deadline already set (Start, AwaitRequest or, for a pipelined
  // request already in the buffer, Respond's completion).
  void ReadHeader() {
    if (worker_.draining) return Close();
    parser_.emplace();
    LimitParser(*parser_, config_.server);
    parser_->body_limit(MaxBodyLimit(config_));  // the request's own once its header is read (OnHeader)
    body_limit_ = 0;
    http::async_read_header(stream_, buffer_, *parser_,
                            [self = this->shared_from_this()](beast::error_code ec, size_t) { self->OnHeader(ec); });
  }

  void OnHeader(beast::error_code ec) {
    if (ec) return OnReadError(ec);
    // The route's own limit: Beast checks a Content-Length against the limit it had while
    // reading the header (the largest any route takes, ReadHeader), so it is checked here.
    body_limit_ = BodyLimit(parser_->get(), config_);
    if (auto length = parser_->content_length(); length && *length > body_limit_)
      return OnReadError(http::error::body_limit);
    parser_->body_limit(body_limit_);
    started_ = std::chrono::steady_clock::now();
    Expire(config_.server.body_timeout_ms);
    if (beast::iequals(parser_->get()[http::field::expect], "100-continue")) {
      // curl asks before a body over 1 MB (a compliance job's file of ids) and waits a second
      // for the answer: the body is within its limit, so go on at once (RFC 9110 10.1.1).
      static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
      asio::async_write(stream_, asio::buffer(kContinue.data(), kContinue.size()),
                        [self = this->shared_from_this()](beast::error_code ec, size_t) {
                          if (ec) return self->OnReadError(ec);
                          self->ReadBody();
                        });
      return;
    }
    ReadBody();
  }

  void ReadBody() {
    http::async_read(stream_, buffer_, *parser_,
                     [self = this->shared_from_this()](beast::error_code ec, size_t) { self->OnBody(ec); });
  }

  void OnReadError(beast::error_code ec) {
    CountIfTimedOut(ec);
    if (IsSilentReadError(ec)) return Close();
    // The request could not be read: answer once, then close. A Content-Length past every
    // route's limit stops Beast in the header, whose start line (the route) it has read.
    if (ec == http::error::body_limit && body_limit_ == 0) body_limit_ = BodyLimit(parser_->get(), config_);
    Respond(ProblemResponse(ReadError(ec, config_.server, body_limit_)), /*keep_alive=*/false, RequestId(worker_), nullptr);
  }

  void OnBody(beast::error_code ec) {
    if (ec) return OnReadError(ec);
    request_id_ = RequestId(worker_);
    // The exception boundary of the request: whatever escapes becomes a 500 and a log line.
    try {
      auto parsed = ToApiRequest(parser_->get(), request_id_);
      if (!parsed.ok()) return Respond(ProblemResponse(parsed.status()));
      parsed->received = started_;
      parsed->admin_listener = admin_listener_;
      worker_.router->Dispatch(*worker_.state, *parsed,
                               [self = this->shared_from_this()](ApiResponse r) { self->Respond(std::move(r)); });
    } catch (const std::exception& e) {
      spdlog::error("request {}: {}", request_id_, e.what());
      Respond(ProblemResponse(InternalError("The server failed to handle this request.")));
    }
  }

  // The response to the request parser_ holds (read whole): kept alive unless draining.
  void Respond(ApiResponse r) {
    if (r.stream && r.status == 200) return OpenStream(std::move(r));
    const auto& req = parser_->get();
    Respond(std::move(r), req.keep_alive() && !worker_.draining, request_id_, &req);
  }

  void Respond(ApiResponse r, bool keep_alive, std::string id, const http::request<http::string_body>* req) {
    if (req && config_.log.access_log) AccessLog(id, *req, r.status, r.body.size(), std::chrono::steady_clock::now() - started_);
    auto wire = std::make_shared<std::string>(ResponseBytes(std::move(r), keep_alive, id));
    Expire(config_.server.send_timeout_ms);
    asio::async_write(stream_, asio::buffer(*wire), [self = this->shared_from_this(), wire, keep_alive](beast::error_code ec, size_t) {
      self->CountIfTimedOut(ec);
      if (ec || !keep_alive) return self->Close();
      if (self->buffer_.size() == 0) return self->AwaitRequest(/*first=*/false);
      self->Expire(self->config_.server.header_timeout_ms);  // pipelined: the next request has begun
      self->ReadHeader();
    });
  }

  // A streaming response: the connection goes to a StreamWriter, which writes the head and
  // then what the handler's StreamOpen sends. This session lives on (its request is what the
  // access log names, when the stream closes) until the writer has finished.
  void OpenStream(ApiResponse r) {
    StreamOpen open = std::move(r.stream);
    StreamLimits limits{size_t(config_.server.stream_buffer_bytes), config_.server.stream_keepalive_ms,
                        config_.server.send_timeout_ms};
    auto writer = StreamWriter<Stream>::Start(
        std::move(stream_), StreamHeadBytes(r, request_id_), limits, SystemClock::Instance(), *worker_.metrics,
        [self = this->shared_from_this()](Metrics::StreamEnd why, uint64_t bytes) {
          if (!self->config_.log.access_log) return;
          AccessLog(self->request_id_, self->parser_->get(), 200, size_t(bytes), std::chrono::steady_clock::now() - self->started_,
                    Metrics::StreamEndName(why));
        });
    stream_writer_ = writer;
    if (worker_.draining) writer->Drain();  // answered while draining: the client learns why it ends
    try {
      open(writer);
    } catch (const std::exception& e) {
      spdlog::error("request {}: stream: {}", request_id_, e.what());
      writer->End("");
    }
  }

  void Close() {
    beast::error_code ec;
    if constexpr (std::is_same_v<Stream, beast::tcp_stream>) {
      stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    } else {
      beast::get_lowest_layer(stream_).socket().shutdown(tcp::socket::shutdown_send, ec);
    }
  }

  Stream stream_;
  Worker& worker_;
  const Config& config_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  uint64_t body_limit_ = 0;  // the body limit of the request parser_ holds (BodyLimit); 0 before its header
  std::chrono::steady_clock::time_point started_;
  std::string request_id_;  // of the request being answered (its ApiRequest's views point here)
  bool idle_ = false;
  std::weak_ptr<StreamWriter<Stream>> stream_writer_;  // set once the response is a stream (stream_ is then the writer's)
  ConnectionSlot slot_;
  const bool admin_listener_;  // accepted on [admin] listen
};

sigset_t StopSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  return set;
}

}  // namespace

void BlockStopSignals() {
  sigset_t set = StopSignals();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

int64_t DefaultMaxConnections(int64_t file_limit, int workers) {
  int64_t headroom = std::min<int64_t>(64 + 8 * int64_t(workers), file_limit / 2);
  return std::max<int64_t>(1, file_limit - headroom);
}

// A listening socket and its accept loop's state (the acceptor's thread only).
struct Listener {
  Listener(asio::io_context& ioc, bool admin) : acceptor(ioc), retry(ioc), admin(admin) {}
  tcp::acceptor acceptor;
  asio::steady_timer retry;
  std::chrono::milliseconds backoff{0};
  const bool admin;  // [admin] listen: its requests are ApiRequest::admin_listener
};

struct Server::Impl {
  Config config;
  StoreFactory stores;
  asio::io_context main_ioc{1};
  Listener main_listener{main_ioc, false};
  std::optional<Listener> admin_listener;  // [admin] listen, when set
  std::optional<asio::ssl::context> tls;
  std::vector<std::unique_ptr<Worker>> workers;
  std::vector<std::optional<asio::executor_work_guard<asio::io_context::executor_type>>> guards;
  size_t next_worker = 0;
  std::atomic<bool> stopping{false};
  std::unique_ptr<SnowflakeGenerator> ids;
  Shared shared;
  Metrics metrics;
  RateLimiter limiter{SystemClock::Instance()};
  std::optional<Services> services;
  std::optional<Router> router;
  int64_t max_connections = 0;
  std::atomic<int64_t> open_connections{0};
  // The acceptor's thread only.
  ThrottledWarning accept_failed, over_cap;

  void Accept(Listener& from) {
    Worker& w = *workers[next_worker++ % workers.size()];
    from.acceptor.async_accept(w.ioc, [this, &w, &from](beast::error_code ec, tcp::socket socket) {
      if (ec == asio::error::operation_aborted || !from.acceptor.is_open()) return;
      if (ec) {
        // Out of descriptors (EMFILE, ENFILE) or a transient failure: the pending connection
        // stays queued, so retrying at once would fail again at once. Back off, 10 ms doubling
        // to 1 s, and keep accepting.
        metrics.CountConnection(Metrics::Connection::kAcceptFailed);
        from.backoff = std::clamp(from.backoff * 2, std::chrono::milliseconds(10), std::chrono::milliseconds(1000));
        accept_failed.Note("accept failed: {}; retrying in {} ms", ec.message(), from.backoff.count());
        from.retry.expires_after(from.backoff);
        from.retry.async_wait([this, &from](beast::error_code wait_ec) {
          if (!wait_ec) Accept(from);
        });
        return;
      }
      from.backoff = 0ms;
      if (open_connections.load(std::memory_order_relaxed) >= max_connections) {
        // Over the cap: closed at once (the client sees the connection end, not a hang), so the
        // connections already open keep their descriptors and are served.
        beast::error_code close_ec;
        socket.close(close_ec);
        metrics.CountConnection(Metrics::Connection::kOverCap);
        over_cap.Note("server.max_connections = {} reached: new connections closed", max_connections);
        return Accept(from);
      }
      metrics.CountConnection(Metrics::Connection::kAccepted);
      asio::post(w.ioc, [this, &w, admin = from.admin, s = std::move(socket), slot = ConnectionSlot(open_connections)]() mutable {
        StartSession(w, std::move(s), std::move(slot), admin);
      });
      Accept(from);
    });
  }

  void StartSession(Worker& w, tcp::socket socket, ConnectionSlot slot, bool admin) {
    if (w.draining) return;
    beast::error_code ec;
    socket.set_option(tcp::no_delay(true), ec);
    std::shared_ptr<SessionBase> session;
    if (tls) {
      auto s = std::make_shared<Session<beast::ssl_stream<beast::tcp_stream>>>(
          beast::ssl_stream<beast::tcp_stream>(beast::tcp_stream(std::move(socket)), *tls), w, config, std::move(slot), admin);
      s->Start();
      session = s;
    } else {
      auto s = std::make_shared<Session<beast::tcp_stream>>(beast::tcp_stream(std::move(socket)), w, config, std::move(slot), admin);
      s->Start();
      session = s;
    }
    w.sessions.remove_if([](const auto& p) { return p.expired(); });
    w.sessions.push_back(session);
  }

  void BeginDrain() {
    if (stopping.exchange(true)) return;
    asio::post(main_ioc, [this] {
      beast::error_code ec;
      for (Listener* l : {&main_listener, admin_listener ? &*admin_listener : nullptr}) {
        if (!l) continue;
        l->acceptor.close(ec);
        l->retry.cancel();
      }
    });
    for (size_t i = 0; i < workers.size(); ++i) {
      Worker& w = *workers[i];
      asio::post(w.ioc, [&w] {
        w.draining = true;
        for (auto& weak : w.sessions)
          if (auto s = weak.lock()) s->CloseIfIdle();
      });
      guards[i].reset();
    }
  }
};

Server::Server(const Config& config, StoreFactory stores, Shared shared) : impl_(std::make_unique<Impl>()) {
  impl_->config = config;
  impl_->stores = std::move(stores);
  impl_->shared = shared;
}

Server::~Server() = default;

namespace {

// Opens, binds and listens `acceptor` on `listen`; `name` (the flag or setting) starts errors.
Result<ListenAddress> Bind(tcp::acceptor& acceptor, const std::string& listen, std::string_view name) {
  auto where = ParseListenAddress(listen);  // checked at config load already; kept for direct callers
  if (!where.ok()) return CommandError(std::string(name) + " " + listen + ": " + where.status().message());
  beast::error_code ec;
  auto address = asio::ip::make_address(where->host, ec);
  if (ec) return CommandError(std::string(name) + " " + listen + ": not an IP address and port");
  tcp::endpoint endpoint(address, where->port);
  acceptor.open(endpoint.protocol(), ec);
  if (!ec) acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return CommandError(std::string(name) + " " + listen + ": " + ec.message());
  return *where;
}

}  // namespace

Result<int> Server::Start() {
  Impl& m = *impl_;
  BlockStopSignals();  // worker threads inherit the mask; only Run's thread takes the signals
  beast::error_code ec;

  if (!m.config.server.tls_cert.empty()) {
    m.tls.emplace(asio::ssl::context::tls_server);
    m.tls->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                       asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 | asio::ssl::context::no_tlsv1_1);
    m.tls->use_certificate_chain_file(m.config.server.tls_cert, ec);
    if (ec) return CommandError(m.config.server.tls_cert + ": cannot load TLS certificate: " + ec.message());
    m.tls->use_private_key_file(m.config.server.tls_key, asio::ssl::context::pem, ec);
    if (ec) return CommandError(m.config.server.tls_key + ": cannot load TLS key: " + ec.message());
  }

  auto where = Bind(m.main_listener.acceptor, m.config.server.listen, "--listen");
  if (!where.ok()) return where.status();
  if (!m.config.admin.listen.empty()) {
    m.admin_listener.emplace(m.main_ioc, true);
    if (auto admin = Bind(m.admin_listener->acceptor, m.config.admin.listen, "admin.listen"); !admin.ok()) return admin.status();
  }

  int n = WorkerCount(m.config);
  m.ids = std::make_unique<SnowflakeGenerator>(SystemClock::Instance(), m.config.node_id);
  // metering.enabled = false (benchmarks): no limiter and no meter, so no rate-limit, write
  // check or cap stage; the plan and licence checks and the ledger stay.
  const bool metering = m.config.metering.enabled;
  m.services.emplace(Services{SystemClock::Instance(), *m.ids, m.config, m.shared.plans ? *m.shared.plans : Plans::Defaults(),
                              m.metrics, m.shared.ledger, metering ? &m.limiter : nullptr,
                              metering ? m.shared.meter : nullptr, m.shared.traps, m.shared.revocations,
                              metering ? m.shared.counters : nullptr, m.shared.oauth, m.shared.admin,
                              m.shared.streams});
  m.services->public_url = m.config.compliance.public_url.empty()
                               ? (m.config.server.tls_cert.empty() ? "http://" : "https://") +
                                     HostForUrl(where->host) + ":" + std::to_string(m.main_listener.acceptor.local_endpoint().port())
                               : m.config.compliance.public_url;
  m.services->evidence = m.shared.evidence;
  m.services->portal = m.shared.portal;
  if (m.shared.streams) m.shared.streams->Attach(*m.services);
  m.router.emplace(*m.services, [&m](RouteId route) {
    switch (route) {
      case RouteId::kReadyz:
        return m.stopping ? ApiResponse::Json(503, R"({"status":"draining"})") : ApiResponse::Json(200, R"({"status":"ready"})");
      case RouteId::kMetrics: {
        ApiResponse r = ApiResponse::Json(
            200, m.metrics.Render(m.shared.ledger) + (m.shared.counters ? m.shared.counters->MetricsText() : ""));
        r.content_type = "text/plain; version=0.0.4";
        return r;
      }
      default:
        return ApiResponse::Json(200, R"({"status":"ok"})");
    }
  });
  for (int i = 0; i < n; ++i) {
    auto w = std::make_unique<Worker>();
    w->index = i;
    auto store = m.stores();
    if (!store.ok()) return store.status();
    w->store = std::move(*store);
    w->state = std::make_unique<WorkerState>(*w->store, w->executor);
    if (m.config.server.lookup_cache_entries > 0)
      w->state->lookup_cache.emplace(size_t(m.config.server.lookup_cache_entries),
                                     w->store->SharedByNodes() ? TimeMs{0} : LookupCache::kPollMs);
    w->router = &*m.router;
    w->metrics = &m.metrics;
    m.guards.emplace_back(asio::make_work_guard(w->ioc));
    m.workers.push_back(std::move(w));
  }
  m.max_connections = m.config.server.max_connections;
  rlimit files{};
  int64_t file_limit = getrlimit(RLIMIT_NOFILE, &files) == 0 && files.rlim_cur != RLIM_INFINITY ? int64_t(files.rlim_cur)
                                                                                                  : int64_t(1) << 20;
  file_limit = std::min<int64_t>(file_limit, int64_t(1) << 20);
  if (m.max_connections == 0) m.max_connections = DefaultMaxConnections(file_limit, n);
  else if (m.max_connections > DefaultMaxConnections(file_limit, n))
    spdlog::warn("server.max_connections = {} is above what the file limit ({}) leaves room for; accept will fail "
                 "(and back off) when descriptors run out", m.max_connections, file_limit);
  spdlog::info("at most {} connections at once (server.max_connections{})", m.max_connections,
               m.config.server.max_connections == 0 ? ", from the file limit " + std::to_string(file_limit) : "");
  if (!spdlog::get("access")) {
    // Its own sink: a clone would share the default logger's sinks, and set_pattern on it would
    // turn every later log line into bare text. (Console sinks share one mutex: lines stay whole.)
    auto access = std::make_shared<spdlog::logger>("access", std::make_shared<spdlog::sinks::stderr_sink_mt>());
    access->set_pattern("%v");
    spdlog::register_logger(access);
  }
  return int(m.main_listener.acceptor.local_endpoint().port());
}

std::optional<int> Server::AdminPort() const {
  if (!impl_->admin_listener) return std::nullopt;
  return int(impl_->admin_listener->acceptor.local_endpoint().port());
}

void Server::Run(bool handle_signals) {
  Impl& m = *impl_;
  std::optional<asio::signal_set> signals;
  if (handle_signals) {
    signals.emplace(m.main_ioc, SIGINT, SIGTERM);
    signals->async_wait([this](beast::error_code ec, int sig) {
      if (ec) return;
      spdlog::info("signal {}: draining", sig);
      impl_->BeginDrain();
    });
  }
  m.Accept(m.main_listener);
  if (m.admin_listener) m.Accept(*m.admin_listener);
  std::vector<std::thread> threads;
  for (auto& w : m.workers) threads.emplace_back([&w] { w->ioc.run(); });
  sigset_t stop_signals = StopSignals();
  pthread_sigmask(SIG_UNBLOCK, &stop_signals, nullptr);  // now only this thread takes them
  // The main context runs the acceptor until draining starts; then give in-flight work its time.
  while (!m.stopping) m.main_ioc.run_for(100ms);
  // Draining: a second SIGTERM (a supervisor repeating itself) must not kill the process while
  // it finishes requests or, after Run, closes the ledger; once the signal_set is gone the
  // default action would. Blocked again in this thread (the others never took them), such a
  // signal stays pending and the process exits normally.
  if (handle_signals) pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  if (signals) signals->cancel();
  m.main_ioc.run_for(10ms);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(m.config.server.drain_timeout_ms);
  for (auto& w : m.workers) {
    while (!w->ioc.stopped() && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(5ms);
    w->ioc.stop();  // past the deadline: abandon what is left
  }
  for (auto& t : threads) t.join();
}

void Server::Stop() { impl_->BeginDrain(); }

}  // namespace sluice
