#pragma once
//! A streaming response (GET /2/tweets/search/stream and the other streams): HTTP/1.1 chunked,
//! one chunk per line, open until the client goes, the server drains, or the stream ends it.
//! Beast-free: the handler sets ApiResponse::stream, the server (src/http) implements the sink.
//!
//! Threads: a sink belongs to its connection's worker. Send, End, open and queued_bytes are
//! called on that worker's thread only (a line made on another thread is posted to it first:
//! WorkerState::executor); OnClose's function runs there too.
//!
//! Backpressure: lines queue in the connection's buffer while the socket cannot take them. Past
//! server.stream_buffer_bytes queued, the reader is too slow: the sink queues X's
//! operational-disconnect problem (http/problem.h, SlowReaderDisconnect) as its last line, ends
//! the stream and closes the connection, so a slow reader never holds memory without bound nor
//! slows the writers or other streams (Send returns false from then on).
//! Keep-alive: when nothing was sent for server.stream_keepalive_ms (X: 20 s), the sink sends
//! "\r\n" by itself.

#include <cstddef>
#include <functional>
#include <memory>
#include <string>

namespace sluice {

class StreamSink {
 public:
  virtual ~StreamSink() = default;
  //! Queues `line` (a whole line, "\r\n" included) as one chunk. False when the stream is
  //! closed (the client went, it was ended, or it was just disconnected as too slow).
  virtual bool Send(std::string line) = 0;
  //! Queues `last` (may be empty) and the final chunk, then closes the connection once they are
  //! written (or after server.send_timeout_ms). Idempotent.
  virtual void End(std::string last) = 0;
  virtual bool open() const = 0;
  //! Bytes queued and not yet taken by the socket.
  virtual size_t queued_bytes() const = 0;
  //! `fn` runs once, on the worker, when the stream closes for any reason (client gone, End,
  //! too slow, server draining). Set it once, before the first Send. It is posted, never run
  //! inside Send or End, as soon as the stream stops taking lines (its last bytes may still be
  //! on their way); set after that, it is posted at once.
  virtual void OnClose(std::function<void()> fn) = 0;
};

//! Set on a 200 response to make it a stream: the server writes the status line and headers
//! (Transfer-Encoding: chunked, no Content-Length, the response's body ignored), then calls
//! this with the connection's sink on the worker. The connection is never kept alive after.
using StreamOpen = std::function<void(std::shared_ptr<StreamSink>)>;

}  // namespace sluice
