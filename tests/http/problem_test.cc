// The one mapping from Status to X's problem: every code's status, type, title, members and
// headers, byte for byte.
#include "http/problem.h"

#include <gtest/gtest.h>

#include <string>

namespace sluice {
namespace {

std::string Body(const Status& s) { return ToProblem(s).ToJson(); }

TEST(ToProblem, InvalidRequestListsItsParameters) {
  EXPECT_EQ(Body(InvalidRequest("ids", "x", "bad id")),
            R"({"errors":[{"parameters":{"ids":["x"]},"message":"bad id"}],"title":"Invalid Request",)"
            R"("detail":"One or more parameters to your request was invalid.",)"
            R"("type":"https://api.x.com/2/problems/invalid-request","status":400})");
  EXPECT_EQ(Body(MalformedRequest("Malformed HTTP request: bad method")),
            R"({"title":"Invalid Request","detail":"Malformed HTTP request: bad method",)"
            R"("type":"https://api.x.com/2/problems/invalid-request","status":400})");
}

TEST(ToProblem, PlainHttpErrorsAreAboutBlank) {
  EXPECT_EQ(Body(Unauthorized()), R"({"title":"Unauthorized","detail":"Unauthorized","type":"about:blank","status":401})");
  EXPECT_EQ(Body(TooManyRequests()),
            R"({"title":"Too Many Requests","detail":"Too Many Requests","type":"about:blank","status":429})");
  EXPECT_EQ(Body(PayloadTooLarge("big")), R"({"title":"Payload Too Large","detail":"big","type":"about:blank","status":413})");
  EXPECT_EQ(Body(HeaderTooLarge("big")),
            R"({"title":"Request Header Fields Too Large","detail":"big","type":"about:blank","status":431})");
  EXPECT_EQ(Body(UnsupportedMediaType("json")),
            R"({"title":"Unsupported Media Type","detail":"json","type":"about:blank","status":415})");
}

TEST(ToProblem, XTypedErrors) {
  EXPECT_EQ(Body(NotFound("gone")),
            R"({"title":"Not Found Error","detail":"gone","type":"https://api.x.com/2/problems/resource-not-found","status":404})");
  EXPECT_EQ(Body(Forbidden("no")),
            R"({"title":"Forbidden","detail":"no","type":"https://api.x.com/2/problems/not-authorized-for-resource","status":403})");
  // X's document requires resource_type in both; the resource's id and parameter come along.
  EXPECT_EQ(Body(NotFound("tweet", "id", "5", "gone")),
            R"({"title":"Not Found Error","detail":"gone","type":"https://api.x.com/2/problems/resource-not-found",)"
            R"("status":404,"resource_type":"tweet","parameter":"id","value":"5","resource_id":"5"})");
  EXPECT_EQ(Body(Forbidden("tweet", "id", "5", "no")),
            R"({"title":"Forbidden","detail":"no","type":"https://api.x.com/2/problems/not-authorized-for-resource",)"
            R"("status":403,"resource_type":"tweet","parameter":"id","value":"5","resource_id":"5"})");
  EXPECT_EQ(Body(Conflict("dup")),
            R"({"title":"Conflict","detail":"dup","type":"https://api.x.com/2/problems/resource-conflict","status":409})");
  EXPECT_EQ(Body(ClientForbidden("client-not-enrolled", "no plan")),
            R"({"title":"Client Forbidden","detail":"no plan","type":"https://api.x.com/2/problems/client-forbidden",)"
            R"("status":403,"reason":"client-not-enrolled","required_enrollment":"Appropriate Level of API Access"})");
  EXPECT_EQ(Body(UsageCapExceeded()),
            R"({"title":"UsageCapExceeded","detail":"Usage cap exceeded: Monthly product cap",)"
            R"("type":"https://api.x.com/2/problems/usage-capped","status":429,"period":"Monthly","scope":"Product"})");
  EXPECT_EQ(Body(CreditsExhausted(-1, 5'000)),
            R"({"title":"Payment Required","detail":"The project's prepaid balance $-0.000001 does not cover this )"
            R"j(response ($0.005000)","type":"https://api.x.com/2/problems/credits-exhausted","status":402,)j"
            R"("balance_usd":"-0.000001","price_usd":"0.005000"})");
}

TEST(ToProblem, ServerSideErrorsAreInternalErrors) {
  for (const Status& s : {InternalError("boom"), Corruption("boom"), IOError("boom"), CommandError("boom")}) {
    EXPECT_EQ(Body(s), R"({"title":"Internal Error","detail":"boom","type":"https://api.x.com/2/problems/internal-error","status":500})")
        << s.ToString();
  }
  EXPECT_EQ(ToProblem(Status::Ok()).status, 500);  // a caller's bug, not a success
}

TEST(ProblemResponse, CarriesTheHeadersOfItsKind) {
  ApiResponse allow = ProblemResponse(MethodNotAllowed("GET, POST"));
  EXPECT_EQ(allow.status, 405);
  EXPECT_EQ(allow.content_type, "application/problem+json");
  EXPECT_EQ(allow.body, R"({"title":"Method Not Allowed","detail":"This route does not accept this method. Allowed: GET, POST",)"
                        R"("type":"about:blank","status":405})");
  ASSERT_EQ(allow.headers.size(), 1u);
  EXPECT_EQ(allow.headers[0].first, "Allow");
  EXPECT_EQ(allow.headers[0].second, "GET, POST");

  ApiResponse busy = ProblemResponse(ServiceUnavailable("busy", 5));
  EXPECT_EQ(busy.status, 503);
  EXPECT_EQ(busy.body,
            R"({"title":"Service Unavailable","detail":"busy","type":"https://api.x.com/2/problems/resource-unavailable","status":503,)"
            R"("resource_type":"service"})");
  ASSERT_EQ(busy.headers.size(), 1u);
  EXPECT_EQ(busy.headers[0].first, "Retry-After");
  EXPECT_EQ(busy.headers[0].second, "5");

  EXPECT_TRUE(ProblemResponse(NotFound("x")).headers.empty());
}

// X's connection-limit refusal of a stream: its 429 ConnectionException, with X's type base.
TEST(ProblemResponse, TooManyConnectionsIsXsConnectionException) {
  ApiResponse r = ProblemResponse(TooManyConnections());
  EXPECT_EQ(r.status, 429);
  EXPECT_EQ(r.content_type, "application/problem+json");
  EXPECT_EQ(r.body, R"({"title":"ConnectionException","detail":"This stream is currently at the maximum allowed connection limit.",)"
                    R"("type":"https://api.twitter.com/2/problems/streaming-connection","status":429,)"
                    R"("connection_issue":"TooManyConnections"})");
  EXPECT_TRUE(r.headers.empty());
}

// The last line of a stream the server ends: X's operational-disconnect shape, one line.
TEST(OperationalDisconnect, IsXsErrorsArrayAsOneLine) {
  EXPECT_EQ(OperationalDisconnectLine("UpstreamOperationalDisconnect", "gone"),
            R"({"errors":[{"title":"operational-disconnect","detail":"gone",)"
            R"("type":"https://api.twitter.com/2/problems/operational-disconnect",)"
            R"("disconnect_type":"UpstreamOperationalDisconnect"}]})"
            "\r\n");
  EXPECT_EQ(SlowReaderDisconnect(),
            OperationalDisconnectLine("SlowReader", "This stream has been disconnected because your client was reading too slowly."));
  EXPECT_EQ(ServerRestartDisconnect(),
            OperationalDisconnectLine("OperationalDisconnect", "This stream has been disconnected for operational reasons."));
  std::string line = SlowReaderDisconnect();
  EXPECT_EQ(line.find('\n'), line.size() - 1);  // one line: nothing in it ends a line early
}

}  // namespace
}  // namespace sluice
