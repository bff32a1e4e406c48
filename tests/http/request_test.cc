#include "http/request.h"

#include <gtest/gtest.h>

#include "http/problem.h"
#include "http/server.h"

namespace sluice {
namespace {

namespace http = boost::beast::http;

// Parses `bytes` with the server's parser settings.
HttpRequest Parse(std::string_view bytes, const ServerConfig& config = {}) {
  HttpRequestParser parser;
  LimitParser(parser, config);
  boost::beast::error_code ec;
  parser.put(boost::asio::buffer(bytes.data(), bytes.size()), ec);
  EXPECT_FALSE(ec) << ec.message();
  EXPECT_TRUE(parser.is_done());
  return parser.release();
}

TEST(ToApiRequest, SplitsTheTargetAndBorrowsTheHeaders) {
  HttpRequest req = Parse("GET /2/tweets/search/recent?query=a%20b HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer t\r\n"
                          "Accept: application/json\r\n\r\n");
  auto api = ToApiRequest(req, "id1");
  ASSERT_TRUE(api.ok());
  EXPECT_EQ(api->method, "GET");
  EXPECT_EQ(api->path, "/2/tweets/search/recent");
  EXPECT_EQ(api->query, "query=a%20b");
  EXPECT_EQ(api->authorization, "Bearer t");
  EXPECT_EQ(api->accept, "application/json");
  EXPECT_EQ(api->request_id, "id1");
}

// Which of two credentials names the client is not ours to guess (the first used to win).
TEST(ToApiRequest, TwoAuthorizationHeadersAreA400) {
  HttpRequest req = Parse("GET /2/tweets/1 HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer a\r\nauthorization: Bearer b\r\n\r\n");
  auto api = ToApiRequest(req, "id");
  ASSERT_FALSE(api.ok());
  EXPECT_EQ(api.status().code(), StatusCode::kInvalidRequest);
  ASSERT_EQ(api.status().parameter_errors().size(), 1u);
  EXPECT_EQ(api.status().parameter_errors()[0].parameter, "Authorization");
}

TEST(ReadError, NamesTheLimitThatWasPassed) {
  ServerConfig config;
  EXPECT_EQ(ReadError(http::error::body_limit, config).code(), StatusCode::kPayloadTooLarge);
  EXPECT_EQ(ToProblem(ReadError(http::error::header_limit, config)).status, 431);
  Status bad = ReadError(http::error::bad_method, config);
  EXPECT_EQ(bad.code(), StatusCode::kInvalidRequest);
  EXPECT_TRUE(bad.parameter_errors().empty());
  EXPECT_EQ(bad.message().rfind("Malformed HTTP request: ", 0), 0u);
  EXPECT_EQ(ToProblem(bad).status, 400);
  EXPECT_TRUE(IsSilentReadError(http::error::end_of_stream));
  EXPECT_FALSE(IsSilentReadError(http::error::bad_method));
}

// The upload of a compliance job's ids takes compliance.upload_max_bytes, a trace run's dataset
// traces.upload_max_bytes; every other request server.body_limit_bytes; the parser reads
// headers under the largest.
TEST(BodyLimit, TheUploadRouteHasItsOwn) {
  Config config;
  config.server.body_limit_bytes = 1000;
  config.compliance.upload_max_bytes = 5000;
  config.traces.upload_max_bytes = 3000;
  EXPECT_EQ(BodyLimit(Parse("PUT /compliance/upload/sl_abc HTTP/1.1\r\nHost: x\r\n\r\n"), config), 5000u);
  EXPECT_EQ(BodyLimit(Parse("PUT /compliance/upload/sl_abc?x=1 HTTP/1.1\r\nHost: x\r\n\r\n"), config), 5000u);
  EXPECT_EQ(BodyLimit(Parse("POST /compliance/upload/sl_abc HTTP/1.1\r\nHost: x\r\n\r\n"), config), 1000u);
  EXPECT_EQ(BodyLimit(Parse("POST /2/tweets HTTP/1.1\r\nHost: x\r\n\r\n"), config), 1000u);
  EXPECT_EQ(BodyLimit(Parse("POST /admin/v1/traces?name=leak.jsonl HTTP/1.1\r\nHost: x\r\n\r\n"), config), 3000u);
  EXPECT_EQ(BodyLimit(Parse("POST /admin/v1/projects HTTP/1.1\r\nHost: x\r\n\r\n"), config), 1000u);
  EXPECT_EQ(MaxBodyLimit(config), 5000u);
  config.traces.upload_max_bytes = 9000;
  EXPECT_EQ(MaxBodyLimit(config), 9000u);
  EXPECT_NE(ReadError(http::error::body_limit, config.server, 5000).message().find("5000 bytes"), std::string::npos);
  EXPECT_NE(ReadError(http::error::body_limit, config.server).message().find("1000 bytes"), std::string::npos);
}

TEST(DefaultMaxConnections, LeavesHeadroomForTheProcessOwnFiles) {
  EXPECT_EQ(DefaultMaxConnections(1024, 2), 1024 - 64 - 16);
  EXPECT_EQ(DefaultMaxConnections(65536, 8), 65536 - 64 - 64);
  EXPECT_EQ(DefaultMaxConnections(64, 2), 32);  // a small limit: half for connections
  EXPECT_EQ(DefaultMaxConnections(1, 1), 1);
}

}  // namespace
}  // namespace sluice
