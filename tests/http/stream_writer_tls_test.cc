// The stream writer over TLS: a read and a write pending at once on the TLS stream.
#include <gtest/gtest.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "http/problem.h"
#include "http/stream_writer.h"
#include "http/wire.h"
#include "stream_loopback.h"

namespace sluice::stream_test {
namespace {

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
    auto started = std::make_shared<std::promise<std::shared_ptr<TlsWriter>>>();
    worker_.Run([&, s = std::move(socket)]() mutable {
      auto tls = std::make_shared<TlsStream>(beast::tcp_stream(std::move(s)), server_tls_);
      tls->async_handshake(asio::ssl::stream_base::server, [&, tls, started](beast::error_code ec) {
        EXPECT_FALSE(ec) << ec.message();
        auto w = TlsWriter::Start(std::move(*tls), StreamHeadBytes(ApiResponse::Json(200, ""), "id"), limits, clock_,
                                  metrics_, [&ended](Metrics::StreamEnd why, uint64_t bytes) {
                                    ended.why = why;
                                    ended.body_bytes = bytes;
                                  });
        w->OnClose([&ended] {
          if (++ended.on_close == 1) ended.closed.set_value();
        });
        started->set_value(w);
      });
    });
    client.Handshake();
    return started->get_future().get();
  }

  asio::ssl::context server_tls_{asio::ssl::context::tls_server};
};

// Over TLS (a read and a write pending at once on the TLS stream): lines in order, a reader
// that stops gets the SlowReader disconnect as its last line.
TEST_F(TlsStreamWriterTest, LinesInOrderThenASlowReadersDisconnect) {
  Client client(acceptor_, worker_.ioc(), 4096);
  Ended& ended = Track();
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
  Ended& ended = Track();
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
}  // namespace sluice::stream_test
