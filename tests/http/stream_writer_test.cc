// The server's side of a stream on real loopback sockets: a worker's io_context on its own
// thread holds the writer, the test reads as a client would (blocking, chunk by chunk).
#include "http/stream_writer.h"

#include <gtest/gtest.h>

#include <sys/socket.h>
#include <sys/time.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/ssl.hpp>
#include <future>
#include <optional>
#include <thread>

#include "http/problem.h"
#include "http/wire.h"

namespace sluice {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
using tcp = asio::ip::tcp;
using Writer = StreamWriter<beast::tcp_stream>;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;
using TlsWriter = StreamWriter<TlsStream>;

// One worker: an io_context run by its own thread. Run executes on it and waits.
class Worker {
 public:
  Worker() : guard_(asio::make_work_guard(ioc_)), thread_([this] { ioc_.run(); }) {}
  ~Worker() {
    guard_.reset();
    ioc_.stop();
    thread_.join();
  }
  asio::io_context& ioc() { return ioc_; }

  template <typename F>
  auto Run(F f) -> decltype(f()) {
    std::packaged_task<decltype(f())()> task(std::move(f));
    auto result = task.get_future();
    asio::post(ioc_, [&task] { task(); });
    return result.get();
  }

 private:
  asio::io_context ioc_{1};
  asio::executor_work_guard<asio::io_context::executor_type> guard_;
  std::thread thread_;
};

// The client's end of one connection: blocking reads of a chunked body.
class Client {
 public:
  // Connects to `acceptor`; the server's end is accepted onto `server_ioc`. `receive_buffer`
  // (bytes, 0: the default) makes a stalled client hold less in its kernel.
  Client(tcp::acceptor& acceptor, asio::io_context& server_ioc, int receive_buffer = 0) : socket_(ioc_) {
    socket_.open(tcp::v4());
    if (receive_buffer > 0) socket_.set_option(asio::socket_base::receive_buffer_size(receive_buffer));
    timeval tv{60, 0};  // a broken writer fails the test instead of hanging it
    setsockopt(socket_.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    socket_.connect(acceptor.local_endpoint());
    server_.emplace(server_ioc);
    acceptor.accept(*server_);
  }
  // The server's end, to hand to a writer.
  tcp::socket TakeServerSocket() { return std::move(*server_); }
  // From now on the client speaks TLS (no certificate check: the server's is made up).
  void Handshake() {
    tls_.emplace(socket_, client_tls_);
    tls_->handshake(asio::ssl::stream_base::client);
  }

  // Reads the head (through its blank line).
  std::string Head() {
    size_t end;
    while ((end = in_.find("\r\n\r\n")) == std::string::npos)
      if (!Fill()) return "(connection ended: " + in_ + ")";
    std::string head = in_.substr(0, end + 4);
    in_.erase(0, end + 4);
    return head;
  }
  // The next chunk's data; nullopt for the last chunk.
  std::optional<std::string> Chunk() {
    size_t eol;
    while ((eol = in_.find("\r\n")) == std::string::npos)
      if (!Fill()) return std::string("(connection ended)");
    size_t size = std::stoul(in_.substr(0, eol), nullptr, 16);
    while (in_.size() < eol + 2 + size + 2)
      if (!Fill()) return std::string("(connection ended)");
    EXPECT_EQ(in_.substr(eol + 2 + size, 2), "\r\n");
    std::string data = in_.substr(eol + 2, size);
    in_.erase(0, eol + 2 + size + 2);
    if (size == 0) return std::nullopt;
    return data;
  }
  // True when the server closed its side with nothing more to read.
  bool AtEnd() { return in_.empty() && !Fill(); }
  void Close() { socket_.close(); }
  void Reset() {
    socket_.set_option(asio::socket_base::linger(true, 0));
    socket_.close();
  }

 private:
  bool Fill() {
    char buf[4096];
    beast::error_code ec;
    size_t n = tls_ ? tls_->read_some(asio::buffer(buf), ec) : socket_.read_some(asio::buffer(buf), ec);
    if (ec) return false;
    in_.append(buf, n);
    return true;
  }

  asio::io_context ioc_;
  tcp::socket socket_;
  asio::ssl::context client_tls_{asio::ssl::context::tls_client};
  std::optional<asio::ssl::stream<tcp::socket&>> tls_;
  std::optional<tcp::socket> server_;
  std::string in_;
};

// What a test sees of one stream's end.
struct Ended {
  std::promise<void> closed;  // OnClose ran
  int on_close = 0;           // times OnClose ran (the worker's thread)
  std::optional<Metrics::StreamEnd> why;
  uint64_t body_bytes = 0;
};

class StreamWriterTest : public ::testing::Test {
 protected:
  StreamWriterTest() : acceptor_(acceptor_ioc_, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)) {}

  // A writer on `client`'s connection, started on the worker, with OnClose counted in `ended`.
  std::shared_ptr<Writer> Open(Client& client, Ended& ended, StreamLimits limits, int send_buffer = 0) {
    tcp::socket socket = client.TakeServerSocket();
    if (send_buffer > 0) socket.set_option(asio::socket_base::send_buffer_size(send_buffer));
    return worker_.Run([&, s = std::move(socket)]() mutable {
      auto w = Writer::Start(beast::tcp_stream(std::move(s)), StreamHeadBytes(ApiResponse::Json(200, ""), "id"), limits,
                             clock_, metrics_, [&ended](Metrics::StreamEnd why, uint64_t bytes) {
                               ended.why = why;
                               ended.body_bytes = bytes;
                             });
      w->OnClose([&ended] {
        if (++ended.on_close == 1) ended.closed.set_value();
      });
      return w;
    });
  }

  std::string Metric(std::string_view reason) {
    std::string text = metrics_.Render(nullptr);
    std::string key = "sluice_stream_disconnects_total{reason=\"" + std::string(reason) + "\"} ";
    size_t at = text.find(key);
    return at == std::string::npos ? "(none)" : text.substr(at + key.size(), text.find('\n', at) - at - key.size());
  }
  std::string OpenStreams() {
    std::string text = metrics_.Render(nullptr);
    size_t at = text.find("\nsluice_streams_open ");
    return text.substr(at + 21, text.find('\n', at + 1) - at - 21);
  }

  static std::string Line(int i, size_t pad = 0) { return "{\"n\":" + std::to_string(i) + std::string(pad, ' ') + "}\r\n"; }

  ManualClock clock_{1'700'000'000'000};
  Metrics metrics_;
  asio::io_context acceptor_ioc_;
  tcp::acceptor acceptor_;
  Worker worker_;
};

TEST_F(StreamWriterTest, LinesArriveAsChunksInOrderThenTheLastChunk) {
  Client client(acceptor_, worker_.ioc());
  Ended ended;
  auto w = Open(client, ended, StreamLimits{});
  size_t queued = worker_.Run([&] {
    for (int i = 0; i < 100; ++i) EXPECT_TRUE(w->Send(Line(i)));
    return w->queued_bytes();
  });
  // The head and the lines queued in one turn of the worker wait together.
  size_t lines_bytes = 0;
  for (int i = 0; i < 100; ++i) lines_bytes += ChunkBytes(Line(i).size());
  EXPECT_GE(queued, lines_bytes);
  EXPECT_LE(queued, lines_bytes + StreamHeadBytes(ApiResponse::Json(200, ""), "id").size());

  EXPECT_EQ(client.Head(), StreamHeadBytes(ApiResponse::Json(200, ""), "id"));
  for (int i = 0; i < 100; ++i) ASSERT_EQ(client.Chunk(), Line(i));
  EXPECT_EQ(OpenStreams(), "1");
  worker_.Run([&] { w->End(""); });
  EXPECT_EQ(client.Chunk(), std::nullopt);
  EXPECT_TRUE(client.AtEnd());
  ended.closed.get_future().get();
  worker_.Run([&] {
    EXPECT_FALSE(w->open());
    EXPECT_FALSE(w->Send(Line(100)));
    w->End("again");  // idempotent: nothing more is sent
    EXPECT_EQ(w->queued_bytes(), 0u);
  });
  EXPECT_EQ(ended.on_close, 1);
  EXPECT_EQ(ended.why, Metrics::StreamEnd::kEnded);
  EXPECT_EQ(ended.body_bytes, lines_bytes + kLastChunk.size());
  EXPECT_EQ(Metric("ended"), "1");
  EXPECT_EQ(OpenStreams(), "0");
}

TEST_F(StreamWriterTest, EndSendsItsLastLineThenTheLastChunk) {
  Client client(acceptor_, worker_.ioc());
  Ended ended;
  auto w = Open(client, ended, StreamLimits{});
  worker_.Run([&] {
    EXPECT_TRUE(w->Send(Line(1)));
    w->End("bye\r\n");
    EXPECT_FALSE(w->Send(Line(2)));
  });
  client.Head();
  EXPECT_EQ(client.Chunk(), Line(1));
  EXPECT_EQ(client.Chunk(), "bye\r\n");
  EXPECT_EQ(client.Chunk(), std::nullopt);
  EXPECT_TRUE(client.AtEnd());
  ended.closed.get_future().get();
  EXPECT_EQ(ended.on_close, 1);
}

// The keep-alive goes by the clock: while it stands still, none however long the worker
// waits (its timer fires many times meanwhile); once it moved past the interval, one.
TEST_F(StreamWriterTest, KeepAliveAfterTheIdleIntervalOnly) {
  Client client(acceptor_, worker_.ioc());
  Ended ended;
  StreamLimits limits;
  limits.keepalive_ms = 5;
  auto w = Open(client, ended, limits);
  client.Head();
  worker_.Run([&] { EXPECT_TRUE(w->Send(Line(1))); });
  EXPECT_EQ(client.Chunk(), Line(1));
  clock_.Advance(4);
  std::this_thread::sleep_for(std::chrono::milliseconds(50));  // ten timer periods
  worker_.Run([&] { EXPECT_TRUE(w->Send(Line(2))); });
  EXPECT_EQ(client.Chunk(), Line(2));  // no keep-alive between lines sent within the interval

  clock_.Advance(5);
  EXPECT_EQ(client.Chunk(), "\r\n");  // nothing sent for 5 ms: the keep-alive
  worker_.Run([&] {
    EXPECT_TRUE(w->Send(Line(3)));
    w->End("");
  });
  EXPECT_EQ(client.Chunk(), Line(3));  // one keep-alive, not one per timer period
  EXPECT_EQ(client.Chunk(), std::nullopt);
  ended.closed.get_future().get();
}

// A reader that stops: the queue fills to the bound, the line past it is refused, X's
// SlowReader disconnect is its last line. Another stream on the same worker keeps flowing.
TEST_F(StreamWriterTest, ASlowReaderIsDisconnectedWithoutSlowingAnother) {
  Client slow(acceptor_, worker_.ioc(), 4096);
  Client fast(acceptor_, worker_.ioc());
  Ended slow_ended, fast_ended;
  StreamLimits limits;
  limits.buffer_bytes = 64 * 1024;
  limits.send_timeout_ms = 600'000;  // the stalled reader is not timed out: it reads at the end
  auto s = Open(slow, slow_ended, limits, 4096);
  auto f = Open(fast, fast_ended, limits);
  fast.Head();

  const size_t line_bytes = ChunkBytes(Line(0, 1000).size());
  const size_t most = limits.buffer_bytes + line_bytes + ChunkBytes(SlowReaderDisconnect().size()) + kLastChunk.size();
  int accepted = 0;
  for (bool open = true; open;) {
    open = worker_.Run([&] {
      for (int i = 0; i < 16; ++i) {
        bool sent = s->Send(Line(accepted, 1000));
        EXPECT_LE(s->queued_bytes(), most);
        if (!sent) return false;
        ++accepted;
      }
      return true;
    });
    // Meanwhile the other stream's lines flow.
    worker_.Run([&] { EXPECT_TRUE(f->Send(Line(accepted))); });
    EXPECT_EQ(fast.Chunk(), Line(accepted));
  }
  worker_.Run([&] {
    EXPECT_FALSE(s->open());
    EXPECT_FALSE(s->Send(Line(0)));
    EXPECT_LE(s->queued_bytes(), most);
  });
  slow_ended.closed.get_future().get();  // OnClose as the stream stopped, before its bytes left
  EXPECT_GT(accepted, 0);

  worker_.Run([&] { f->End(""); });
  EXPECT_EQ(fast.Chunk(), std::nullopt);

  // The slow reader reads at last: every line accepted, in order, then the disconnect.
  slow.Head();
  for (int i = 0; i < accepted; ++i) ASSERT_EQ(slow.Chunk(), Line(i, 1000)) << i;
  EXPECT_EQ(slow.Chunk(), SlowReaderDisconnect());
  EXPECT_EQ(slow.Chunk(), std::nullopt);
  EXPECT_TRUE(slow.AtEnd());
  fast_ended.closed.get_future().get();
  worker_.Run([] {});  // Finished ran before the socket's end reached the client
  EXPECT_EQ(slow_ended.on_close, 1);
  EXPECT_EQ(slow_ended.why, Metrics::StreamEnd::kSlowReader);
  EXPECT_EQ(Metric("slow_reader"), "1");
  EXPECT_EQ(Metric("ended"), "1");
  EXPECT_EQ(OpenStreams(), "0");
}

// A reader that takes nothing while its queue stays under the bound is closed after
// send_timeout_ms: a dead peer does not hold its connection.
TEST_F(StreamWriterTest, AReaderThatTakesNothingIsClosedAfterTheSendTimeout) {
  Client client(acceptor_, worker_.ioc(), 4096);
  Ended ended;
  StreamLimits limits;
  limits.buffer_bytes = size_t(1) << 30;
  limits.send_timeout_ms = 100;
  auto w = Open(client, ended, limits, 4096);
  auto closed = ended.closed.get_future();
  for (int i = 0; closed.wait_for(std::chrono::milliseconds(10)) != std::future_status::ready; ++i)
    worker_.Run([&] { w->Send(Line(i, 1000)); });
  worker_.Run([&] { EXPECT_FALSE(w->Send(Line(0))); });
  EXPECT_EQ(ended.why, Metrics::StreamEnd::kSendTimeout);
  EXPECT_EQ(Metric("send_timeout"), "1");
  EXPECT_NE(metrics_.Render(nullptr).find("sluice_connections_total{outcome=\"timed_out\"} 1\n"), std::string::npos);
  EXPECT_EQ(OpenStreams(), "0");
}

TEST_F(StreamWriterTest, AClientThatClosesEndsTheStreamOnce) {
  for (bool reset : {false, true}) {
    Client client(acceptor_, worker_.ioc());
    Ended ended;
    auto w = Open(client, ended, StreamLimits{});
    worker_.Run([&] { EXPECT_TRUE(w->Send(Line(1))); });
    client.Head();
    EXPECT_EQ(client.Chunk(), Line(1));
    if (reset) {
      client.Reset();
    } else {
      client.Close();
    }
    ended.closed.get_future().get();
    worker_.Run([&] {
      EXPECT_FALSE(w->open());
      EXPECT_FALSE(w->Send(Line(2)));
      w->End("");
    });
    worker_.Run([] {});  // anything OnClose might run twice would have run by now
    EXPECT_EQ(ended.on_close, 1);
    EXPECT_EQ(ended.why, Metrics::StreamEnd::kClientClosed);
  }
  EXPECT_EQ(Metric("client_closed"), "2");
  EXPECT_EQ(OpenStreams(), "0");
}

TEST_F(StreamWriterTest, DrainEndsWithXsOperationalDisconnect) {
  Client client(acceptor_, worker_.ioc());
  Ended ended;
  auto w = Open(client, ended, StreamLimits{});
  worker_.Run([&] {
    EXPECT_TRUE(w->Send(Line(1)));
    w->Drain();
    EXPECT_FALSE(w->Send(Line(2)));
  });
  client.Head();
  EXPECT_EQ(client.Chunk(), Line(1));
  EXPECT_EQ(client.Chunk(), ServerRestartDisconnect());
  EXPECT_EQ(client.Chunk(), std::nullopt);
  EXPECT_TRUE(client.AtEnd());
  ended.closed.get_future().get();
  worker_.Run([] {});
  EXPECT_EQ(ended.why, Metrics::StreamEnd::kDraining);
  EXPECT_EQ(Metric("draining"), "1");
}

// OnClose set after the stream ended still runs, once.
TEST_F(StreamWriterTest, OnCloseSetLateStillRuns) {
  Client client(acceptor_, worker_.ioc());
  Ended ended;
  auto w = Open(client, ended, StreamLimits{});
  worker_.Run([&] { w->End(""); });
  ended.closed.get_future().get();
  std::promise<void> late;
  worker_.Run([&] { w->OnClose([&late] { late.set_value(); }); });
  late.get_future().get();
  EXPECT_EQ(ended.on_close, 1);
}

// A server TLS context with a self-signed certificate made for the test.
void UseMadeUpCertificate(asio::ssl::context& tls) {
  EVP_PKEY* key = EVP_EC_gen("P-256");
  ASSERT_NE(key, nullptr);
  X509* cert = X509_new();
  X509_set_version(cert, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert), 1);
  X509_gmtime_adj(X509_getm_notBefore(cert), 0);
  X509_gmtime_adj(X509_getm_notAfter(cert), 3600);
  X509_set_pubkey(cert, key);
  X509_NAME* name = X509_get_subject_name(cert);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("localhost"), -1, -1, 0);
  X509_set_issuer_name(cert, name);
  X509_sign(cert, key, EVP_sha256());
  EXPECT_EQ(SSL_CTX_use_certificate(tls.native_handle(), cert), 1);
  EXPECT_EQ(SSL_CTX_use_PrivateKey(tls.native_handle(), key), 1);
  X509_free(cert);
  EVP_PKEY_free(key);
}

class TlsStreamWriterTest : public StreamWriterTest {
 protected:
  TlsStreamWriterTest() { UseMadeUpCertificate(server_tls_); }

  // As Open, over TLS: the server's handshake on the worker, the client's here.
  std::shared_ptr<TlsWriter> OpenTls(Client& client, Ended& ended, StreamLimits limits, int send_buffer = 0) {
    tcp::socket socket = client.TakeServerSocket();
    if (send_buffer > 0) socket.set_option(asio::socket_base::send_buffer_size(send_buffer));
    std::promise<std::shared_ptr<TlsWriter>> started;
    worker_.Run([&, s = std::move(socket)]() mutable {
      auto tls = std::make_shared<TlsStream>(beast::tcp_stream(std::move(s)), server_tls_);
      tls->async_handshake(asio::ssl::stream_base::server, [&, tls](beast::error_code ec) {
        EXPECT_FALSE(ec) << ec.message();
        auto w = TlsWriter::Start(std::move(*tls), StreamHeadBytes(ApiResponse::Json(200, ""), "id"), limits, clock_,
                                  metrics_, [&ended](Metrics::StreamEnd why, uint64_t bytes) {
                                    ended.why = why;
                                    ended.body_bytes = bytes;
                                  });
        w->OnClose([&ended] {
          if (++ended.on_close == 1) ended.closed.set_value();
        });
        started.set_value(w);
      });
    });
    client.Handshake();
    return started.get_future().get();
  }

  asio::ssl::context server_tls_{asio::ssl::context::tls_server};
};

// Over TLS (a read and a write pending at once on the TLS stream): lines in order, a reader
// that stops gets the SlowReader disconnect as its last line.
TEST_F(TlsStreamWriterTest, LinesInOrderThenASlowReadersDisconnect) {
  Client client(acceptor_, worker_.ioc(), 4096);
  Ended ended;
  StreamLimits limits;
  limits.buffer_bytes = 64 * 1024;
  limits.send_timeout_ms = 600'000;
  auto w = OpenTls(client, ended, limits, 4096);
  EXPECT_EQ(client.Head(), StreamHeadBytes(ApiResponse::Json(200, ""), "id"));
  worker_.Run([&] {
    for (int i = 0; i < 100; ++i) EXPECT_TRUE(w->Send(Line(i)));
  });
  for (int i = 0; i < 100; ++i) ASSERT_EQ(client.Chunk(), Line(i));

  const size_t most = limits.buffer_bytes + ChunkBytes(Line(0, 1000).size()) + ChunkBytes(SlowReaderDisconnect().size()) +
                      kLastChunk.size();
  int accepted = 0;
  for (bool open = true; open;) {
    open = worker_.Run([&] {
      for (int i = 0; i < 16; ++i) {
        bool sent = w->Send(Line(accepted, 1000));
        EXPECT_LE(w->queued_bytes(), most);
        if (!sent) return false;
        ++accepted;
      }
      return true;
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(1));  // let the worker write
  }
  ended.closed.get_future().get();
  for (int i = 0; i < accepted; ++i) ASSERT_EQ(client.Chunk(), Line(i, 1000)) << i;
  EXPECT_EQ(client.Chunk(), SlowReaderDisconnect());
  EXPECT_EQ(client.Chunk(), std::nullopt);
  EXPECT_TRUE(client.AtEnd());
  worker_.Run([] {});
  EXPECT_EQ(ended.on_close, 1);
  EXPECT_EQ(ended.why, Metrics::StreamEnd::kSlowReader);
  EXPECT_EQ(OpenStreams(), "0");
}

TEST_F(TlsStreamWriterTest, AClientThatClosesEndsTheStreamOnce) {
  Client client(acceptor_, worker_.ioc());
  Ended ended;
  auto w = OpenTls(client, ended, StreamLimits{});
  worker_.Run([&] { EXPECT_TRUE(w->Send(Line(1))); });
  client.Head();
  EXPECT_EQ(client.Chunk(), Line(1));
  client.Close();
  ended.closed.get_future().get();
  worker_.Run([&] { EXPECT_FALSE(w->Send(Line(2))); });
  worker_.Run([] {});
  EXPECT_EQ(ended.on_close, 1);
  EXPECT_EQ(ended.why, Metrics::StreamEnd::kClientClosed);
  EXPECT_EQ(OpenStreams(), "0");
}

}  // namespace
}  // namespace sluice
