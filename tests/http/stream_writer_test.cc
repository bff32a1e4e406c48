// The server's side of a stream on real loopback sockets: a worker's io_context on its own
// thread holds the writer, the test reads as a client would (blocking, chunk by chunk).
#include "http/stream_writer.h"

#include <gtest/gtest.h>

#include "http/problem.h"
#include "http/wire.h"
#include "stream_loopback.h"

namespace sluice::stream_test {
namespace {

TEST_F(StreamWriterTest, LinesArriveAsChunksInOrderThenTheLastChunk) {
  Client client(acceptor_, worker_.ioc());
  Ended& ended = Track();
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
  Ended& ended = Track();
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
  Ended& ended = Track();
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
  Ended& slow_ended = Track();
  Ended& fast_ended = Track();
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
  Ended& ended = Track();
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
    Ended& ended = Track();
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
  Ended& ended = Track();
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
  Ended& ended = Track();
  auto w = Open(client, ended, StreamLimits{});
  worker_.Run([&] { w->End(""); });
  ended.closed.get_future().get();
  std::promise<void> late;
  worker_.Run([&] { w->OnClose([&late] { late.set_value(); }); });
  late.get_future().get();
  EXPECT_EQ(ended.on_close, 1);
}

}  // namespace
}  // namespace sluice::stream_test
