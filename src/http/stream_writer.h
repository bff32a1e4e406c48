#pragma once
//! StreamWriter: the server's StreamSink (api/stream_sink.h) on one connection, plain or TLS.
//! The Session hands it the connection once a handler answered with a stream; from then on it
//! alone owns the socket. Includes Beast: for src/http and its tests only.
//!
//! What it does, all on the connection's executor (its worker's thread):
//!  - Writes: one write at a time; lines queued meanwhile go out together in the next one.
//!    Each write must take at least one byte within send_timeout_ms (the socket's expiry, reset
//!    on every write), so a dead or stalled peer is closed even while its queue is short.
//!  - Bound: a line that would take the queue past buffer_bytes is not queued; the reader is
//!    too slow: X's SlowReader disconnect and the last chunk are queued instead, the stream
//!    ends, Send returns false. queued_bytes() stays <= buffer_bytes + that line + the last chunk.
//!  - Keep-alive: "\r\n" when nothing was queued for keepalive_ms (by `clock`; a steady timer
//!    wakes it) and nothing waits to be written (bytes on their way keep the stream alive; if
//!    they are stuck, the send deadline ends it).
//!  - Client gone: a read stays pending for the whole stream; its end (EOF, reset) closes the
//!    stream at once. What the client sends meanwhile is read and dropped.
//!  - Ends: End, too slow and Drain queue their last bytes, which are written (within the send
//!    deadline) before the socket closes; a client gone or a write timed out closes it at once.
//!    OnClose's function is posted to the executor when the stream stops taking lines (never
//!    run inside Send or End); `finished` runs when the socket has closed.
//! No header or body deadline applies once streaming: the socket's expiry is cleared at Start.

#include <array>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <utility>

#include "api/metrics.h"
#include "api/stream_sink.h"
#include "core/clock.h"
#include "http/problem.h"
#include "http/wire.h"

namespace sluice {

struct StreamLimits {
  size_t buffer_bytes = 1 << 20;  // server.stream_buffer_bytes
  int64_t keepalive_ms = 20'000;  // server.stream_keepalive_ms
  int64_t send_timeout_ms = 10'000;  // server.send_timeout_ms
};

template <typename Stream>
class StreamWriter final : public StreamSink, public std::enable_shared_from_this<StreamWriter<Stream>> {
 public:
  //! Called once, on the executor, when the connection has closed: why the stream ended and
  //! the bytes the socket took after the head.
  using Finished = std::function<void(Metrics::StreamEnd, uint64_t body_bytes)>;

  //! Takes `stream` (open, with no operation pending) and starts writing `head` (StreamHeadBytes).
  //! `clock` and `metrics` must outlive the writer.
  static std::shared_ptr<StreamWriter> Start(Stream stream, std::string head, StreamLimits limits, const Clock& clock,
                                             Metrics& metrics, Finished finished) {
    std::shared_ptr<StreamWriter> w(
        new StreamWriter(std::move(stream), std::move(head), limits, clock, metrics, std::move(finished)));
    w->Begin();
    return w;
  }

  bool Send(std::string line) override {
    if (!open_) return false;
    if (line.empty()) return true;  // an empty chunk would end the body
    size_t queued = queued_bytes();
    if (queued > 0 && queued + ChunkBytes(line.size()) > limits_.buffer_bytes) {
      Stop(Metrics::StreamEnd::kSlowReader, SlowReaderDisconnect());
      return false;
    }
    AppendChunk(pending_, line);
    last_queued_ms_ = clock_.NowMs();
    Flush();
    return true;
  }

  void End(std::string last) override {
    if (open_) Stop(Metrics::StreamEnd::kEnded, std::move(last));
  }

  bool open() const override { return open_; }

  size_t queued_bytes() const override { return pending_.size() + (writing_.size() - written_); }

  void OnClose(std::function<void()> fn) override {
    on_close_ = std::move(fn);
    if (!open_) PostOnClose();
  }

  //! The server drains: X's operational disconnect (server restart) as the last line, then
  //! the connection closes. A stream already ending is left to end.
  void Drain() {
    if (open_) Stop(Metrics::StreamEnd::kDraining, ServerRestartDisconnect());
  }

 private:
  StreamWriter(Stream stream, std::string head, StreamLimits limits, const Clock& clock, Metrics& metrics,
               Finished finished)
      : stream_(std::move(stream)),
        keepalive_(stream_.get_executor()),
        limits_(limits),
        clock_(clock),
        metrics_(metrics),
        finished_(std::move(finished)),
        head_bytes_(head.size()),
        pending_(std::move(head)) {}

  boost::beast::tcp_stream& Lowest() { return boost::beast::get_lowest_layer(stream_); }

  void Begin() {
    metrics_.StreamOpened();
    Lowest().expires_never();  // the request's header and body deadlines end here
    last_queued_ms_ = clock_.NowMs();
    Read();  // pending before the first write: the send deadline then sets the write's expiry only
    ArmKeepAlive(limits_.keepalive_ms);
    Flush();
  }

  void Read() {
    stream_.async_read_some(boost::asio::buffer(discard_), [self = this->shared_from_this()](boost::beast::error_code ec, size_t) {
      if (self->closed_) return;
      // Aborted: the send deadline closed the socket under the pending write, whose handler
      // says so (kSendTimeout). Any other end is the client's.
      if (ec == boost::asio::error::operation_aborted) return;
      if (ec) return self->Close(Metrics::StreamEnd::kClientClosed);
      self->Read();
    });
  }

  void ArmKeepAlive(int64_t ms) {
    keepalive_.expires_after(std::chrono::milliseconds(ms));
    keepalive_.async_wait([self = this->shared_from_this()](boost::beast::error_code ec) {
      if (ec || !self->open_) return;
      self->KeepAlive();
    });
  }

  void KeepAlive() {
    TimeMs now = clock_.NowMs();
    TimeMs idle = now - last_queued_ms_;
    if (idle >= limits_.keepalive_ms) {
      // Bytes still on their way say the stream is alive (or, stuck, the send deadline ends
      // it): look again an interval later.
      if (queued_bytes() == 0) {
        AppendChunk(pending_, "\r\n");
        last_queued_ms_ = now;
        Flush();
      }
      idle = 0;
    }
    ArmKeepAlive(limits_.keepalive_ms - std::max<TimeMs>(idle, 0));
  }

  // No more lines: `last` (may be empty) and the last chunk go out, then the socket closes.
  void Stop(Metrics::StreamEnd why, std::string last) {
    open_ = false;
    why_ = why;
    AppendChunk(pending_, last);
    pending_.append(kLastChunk);
    keepalive_.cancel();
    PostOnClose();
    Flush();
  }

  void PostOnClose() {
    if (!on_close_) return;
    boost::asio::post(stream_.get_executor(), std::exchange(on_close_, nullptr));
  }

  // Starts the next write when none is pending: what the socket left of the last buffer, else
  // every line queued since, as one buffer. (The rest of a partial write is not moved to join
  // the queue: for a slow reader that would copy the whole queue on every write.)
  void Flush() {
    if (write_pending_ || closed_) return;
    if (written_ == writing_.size()) {
      // A burst (a backfill) leaves its capacity behind: kept for the next lines up to 64 KiB,
      // so thousands of streams past a burst do not each hold a megabyte.
      if (writing_.capacity() > kKeptCapacity) std::string().swap(writing_);
      writing_.clear();
      written_ = 0;
      writing_.swap(pending_);
    }
    if (writing_.empty()) {
      if (!open_) Close(why_);  // all written, the last chunk included
      return;
    }
    write_pending_ = true;
    Lowest().expires_after(std::chrono::milliseconds(limits_.send_timeout_ms));
    stream_.async_write_some(boost::asio::buffer(writing_.data() + written_, writing_.size() - written_),
                             [self = this->shared_from_this()](boost::beast::error_code ec, size_t n) {
                               self->write_pending_ = false;
                               if (self->closed_) return;
                               self->written_ += n;
                               self->sent_ += n;
                               if (ec == boost::beast::error::timeout) {
                                 self->metrics_.CountConnection(Metrics::Connection::kTimedOut);
                                 return self->Close(Metrics::StreamEnd::kSendTimeout);
                               }
                               if (ec) return self->Close(Metrics::StreamEnd::kClientClosed);
                               self->Flush();
                             });
  }

  // The socket closes now. A stream still open ends for `why`; one already ending keeps the
  // reason it ended for.
  void Close(Metrics::StreamEnd why) {
    if (closed_) return;
    closed_ = true;
    if (open_) {
      open_ = false;
      why_ = why;
      PostOnClose();
    }
    keepalive_.cancel();
    boost::beast::error_code ec;
    Lowest().socket().shutdown(boost::asio::ip::tcp::socket::shutdown_send, ec);
    Lowest().close();
    metrics_.StreamClosed(why_);
    if (finished_) std::exchange(finished_, nullptr)(why_, sent_ > head_bytes_ ? sent_ - head_bytes_ : 0);
  }

  static constexpr size_t kKeptCapacity = 64 * 1024;

  Stream stream_;
  boost::asio::steady_timer keepalive_;
  const StreamLimits limits_;
  const Clock& clock_;
  Metrics& metrics_;
  Finished finished_;
  std::function<void()> on_close_;
  const uint64_t head_bytes_;
  std::string pending_;  // queued, not yet handed to a write
  std::string writing_;  // the pending write's buffer (unchanged while it is pending)
  size_t written_ = 0;   // of writing_, taken by the socket
  uint64_t sent_ = 0;    // taken by the socket, head included
  TimeMs last_queued_ms_ = 0;
  bool open_ = true;     // takes lines
  bool write_pending_ = false;
  bool closed_ = false;  // the socket is closed
  Metrics::StreamEnd why_ = Metrics::StreamEnd::kEnded;
  std::array<char, 512> discard_;
};

}  // namespace sluice
