#pragma once
// What the stream writer's tests share: a worker (an io_context on its own thread), a
// blocking client that reads a chunked body from a real loopback connection (plain or TLS),
// and a fixture that opens a StreamWriter on the worker for a client.

#include <gtest/gtest.h>

#include <sys/socket.h>
#include <sys/time.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/ssl.hpp>
#include <deque>
#include <future>
#include <optional>
#include <thread>

#include "http/stream_writer.h"
#include "http/wire.h"

namespace sluice::stream_test {

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
    // Owned by the handler: the worker may still be inside the task when get() returns.
    auto task = std::make_shared<std::packaged_task<decltype(f())()>>(std::move(f));
    auto result = task->get_future();
    asio::post(ioc_, [task] { (*task)(); });
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

// What a test sees of one stream's end. The writer's callbacks write it on the worker until
// the socket has closed, which the client may see first: the fixture keeps it (Track) until
// the worker has stopped.
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

  Ended& Track() { return ended_.emplace_back(); }

  ManualClock clock_{1'700'000'000'000};
  std::deque<Ended> ended_;  // before worker_: outlives its thread
  Metrics metrics_;
  asio::io_context acceptor_ioc_;
  tcp::acceptor acceptor_;
  Worker worker_;
};

}  // namespace sluice::stream_test
