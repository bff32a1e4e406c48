// The bytes of a response, exactly as a client receives them.
#include "http/wire.h"

#include <gtest/gtest.h>

#include "http/problem.h"

namespace sluice {
namespace {

TEST(ResponseBytes, StatusHeadersInOrderLengthAndBody) {
  ApiResponse r = ApiResponse::Json(200, R"({"data":{"id":"1"}})");
  r.headers = {{"x-rate-limit-limit", "900"},
               {"x-rate-limit-remaining", "899"},
               {"x-rate-limit-reset", "1700000001"},
               {"Content-Usage", "train-ai=n, search=y"},
               {"Link", "</2/license/pro>; rel=\"license\""}};
  EXPECT_EQ(ResponseBytes(r, true, "0123456789ab00000001"),
            "HTTP/1.1 200 OK\r\n"
            "Content-Type: application/json; charset=utf-8\r\n"
            "x-request-id: 0123456789ab00000001\r\n"
            "x-rate-limit-limit: 900\r\n"
            "x-rate-limit-remaining: 899\r\n"
            "x-rate-limit-reset: 1700000001\r\n"
            "Content-Usage: train-ai=n, search=y\r\n"
            "Link: </2/license/pro>; rel=\"license\"\r\n"
            "Content-Length: 19\r\n"
            "\r\n"
            R"({"data":{"id":"1"}})");
}

TEST(ResponseBytes, AProblemThatClosesTheConnection) {
  ApiResponse r = ProblemResponse(MethodNotAllowed("GET"));
  std::string bytes = ResponseBytes(r, false, "id");
  EXPECT_EQ(bytes.substr(0, bytes.find("\r\n\r\n") + 4),
            "HTTP/1.1 405 Method Not Allowed\r\n"
            "Content-Type: application/problem+json\r\n"
            "x-request-id: id\r\n"
            "Allow: GET\r\n"
            "Connection: close\r\n"
            "Content-Length: " + std::to_string(r.body.size()) + "\r\n\r\n");
  EXPECT_EQ(bytes.substr(bytes.find("\r\n\r\n") + 4), r.body);
}

TEST(ResponseBytes, AnEmptyBody) {
  ApiResponse r = ApiResponse::Json(204, "");
  EXPECT_EQ(ResponseBytes(r, true, "id"),
            "HTTP/1.1 204 No Content\r\n"
            "Content-Type: application/json; charset=utf-8\r\n"
            "x-request-id: id\r\n"
            "Content-Length: 0\r\n"
            "\r\n");
}

// A stream's head: no Content-Length, chunked, never kept alive; its own headers kept.
TEST(StreamHeadBytes, ChunkedClosedWithTheResponsesHeaders) {
  ApiResponse r = ApiResponse::Json(200, "ignored");
  r.headers = {{"x-rate-limit-limit", "50"}, {"x-rate-limit-remaining", "49"}, {"x-rate-limit-reset", "1700000001"}};
  EXPECT_EQ(StreamHeadBytes(r, "0123456789ab00000001"),
            "HTTP/1.1 200 OK\r\n"
            "Content-Type: application/json; charset=utf-8\r\n"
            "x-request-id: 0123456789ab00000001\r\n"
            "x-rate-limit-limit: 50\r\n"
            "x-rate-limit-remaining: 49\r\n"
            "x-rate-limit-reset: 1700000001\r\n"
            "Connection: close\r\n"
            "Transfer-Encoding: chunked\r\n"
            "\r\n");
}

TEST(Chunks, OneLineIsOneChunkSizedInHex) {
  std::string out;
  AppendChunk(out, "{\"data\":{}}\r\n");
  EXPECT_EQ(out, "d\r\n{\"data\":{}}\r\n\r\n");
  AppendChunk(out, "\r\n");  // the keep-alive
  EXPECT_EQ(out, "d\r\n{\"data\":{}}\r\n\r\n2\r\n\r\n\r\n");
  std::string big(4096 + 10, 'x');
  out.clear();
  AppendChunk(out, big);
  EXPECT_EQ(out.substr(0, 6), "100a\r\n");
  EXPECT_EQ(out.size(), ChunkBytes(big.size()));
  EXPECT_EQ(ChunkBytes(13), 2 + 1 + 13 + 2u);
  EXPECT_EQ(ChunkBytes(16), 2 + 2 + 16 + 2u);
}

TEST(Chunks, AnEmptyLineIsNoChunkNotTheLastOne) {
  std::string out;
  AppendChunk(out, "");
  EXPECT_EQ(out, "");
  EXPECT_EQ(ChunkBytes(0), 0u);
  EXPECT_EQ(kLastChunk, "0\r\n\r\n");
}

}  // namespace
}  // namespace sluice
