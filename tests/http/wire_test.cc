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

}  // namespace
}  // namespace sluice
