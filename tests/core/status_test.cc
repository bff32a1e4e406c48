#include "core/status.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>

#include "core/result.h"

namespace sluice {
namespace {

TEST(Status, OkHasNoCodeMessageOrDetail) {
  Status s;
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(s.code(), StatusCode::kOk);
  EXPECT_EQ(s.message(), "");
  EXPECT_EQ(s.detail(), nullptr);
  EXPECT_TRUE(s.parameter_errors().empty());
  EXPECT_EQ(s.ToString(), "OK");
  EXPECT_TRUE(Status::Ok().ok());
  // An ok Status is one null pointer: nothing to allocate or free.
  EXPECT_EQ(sizeof(Status), sizeof(std::shared_ptr<int>));
}

TEST(Status, OkCodeGivesAnOkStatusWhateverTheMessage) {
  Status s(StatusCode::kOk, "ignored");
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(s.message(), "");
}

TEST(Status, CarriesItsCodeAndMessage) {
  Status s = Conflict("post 5 already exists");
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.code(), StatusCode::kConflict);
  EXPECT_EQ(s.message(), "post 5 already exists");
  EXPECT_EQ(s.detail(), nullptr);
  EXPECT_EQ(s.ToString(), "Conflict: post 5 already exists");
  EXPECT_EQ(CommandError("bad flag").code(), StatusCode::kUsage);
  EXPECT_EQ(Corruption("x").code(), StatusCode::kCorruption);
  EXPECT_EQ(IOError("x").code(), StatusCode::kIOError);
  EXPECT_EQ(InternalError("x").code(), StatusCode::kInternal);
  EXPECT_EQ(TooManyRequests().code(), StatusCode::kRateLimited);
  EXPECT_EQ(TooManyConnections().code(), StatusCode::kTooManyConnections);
  EXPECT_EQ(UsageCapExceeded().code(), StatusCode::kUsageCapped);
  EXPECT_EQ(Unauthorized().code(), StatusCode::kUnauthorized);
}

TEST(Status, CopiesShareOneRepresentation) {
  Status a = NotFound("gone");
  Status b = a;
  EXPECT_EQ(&a.message(), &b.message());
  EXPECT_EQ(b.code(), StatusCode::kNotFound);
}

TEST(Status, InvalidRequestKeepsItsParameterErrors) {
  Status s = InvalidRequest("ids", "x", "The `ids` query parameter value [x] is not valid");
  EXPECT_EQ(s.code(), StatusCode::kInvalidRequest);
  EXPECT_EQ(s.message(), "One or more parameters to your request was invalid.");
  ASSERT_EQ(s.parameter_errors().size(), 1u);
  EXPECT_EQ(s.parameter_errors()[0].parameter, "ids");
  EXPECT_EQ(s.parameter_errors()[0].value, "x");
  Status malformed = MalformedRequest("Malformed HTTP request: bad method");
  EXPECT_EQ(malformed.code(), StatusCode::kInvalidRequest);
  EXPECT_TRUE(malformed.parameter_errors().empty());
  EXPECT_EQ(malformed.message(), "Malformed HTTP request: bad method");
}

TEST(Status, DetailsCarryWhatTheBodiesNeed) {
  Status credits = CreditsExhausted(12'000, 15'000);
  ASSERT_NE(credits.detail(), nullptr);
  EXPECT_EQ(credits.detail()->balance_micro_usd, 12'000);
  EXPECT_EQ(credits.detail()->price_micro_usd, 15'000);
  EXPECT_EQ(credits.message(), "The project's prepaid balance $0.012000 does not cover this response ($0.015000)");
  EXPECT_EQ(ClientForbidden("client-not-enrolled", "no").detail()->reason, "client-not-enrolled");
  EXPECT_EQ(MethodNotAllowed("GET, POST").detail()->allow, "GET, POST");
  EXPECT_EQ(ServiceUnavailable("busy", 5).detail()->retry_after_seconds, 5);
}

TEST(Status, WithMessageKeepsCodeAndDetail) {
  Status a = ServiceUnavailable("busy", 5);
  Status b = a.WithMessage("busy (again)");
  EXPECT_EQ(b.code(), StatusCode::kUnavailable);
  EXPECT_EQ(b.message(), "busy (again)");
  EXPECT_EQ(b.detail(), a.detail());
  EXPECT_EQ(a.message(), "busy");  // the original is unchanged
  EXPECT_TRUE(Status().WithMessage("x").ok());
}

TEST(CurrentExceptionStatus, NamesWhatWasThrown) {
  Status s;
  try {
    throw std::runtime_error("Ed25519 signing failed");
  } catch (...) {
    s = CurrentExceptionStatus();
  }
  EXPECT_EQ(s.code(), StatusCode::kInternal);
  EXPECT_EQ(s.message(), "unexpected exception: Ed25519 signing failed");
  try {
    throw 42;
  } catch (...) {
    s = CurrentExceptionStatus();
  }
  EXPECT_EQ(s.code(), StatusCode::kInternal);
  EXPECT_EQ(s.message(), "unexpected exception of an unknown type");
}

TEST(DecimalUsd, SixPlacesAndASign) {
  EXPECT_EQ(DecimalUsd(4'000), "0.004000");
  EXPECT_EQ(DecimalUsd(0), "0.000000");
  EXPECT_EQ(DecimalUsd(-1), "-0.000001");
  EXPECT_EQ(DecimalUsd(12'345'678'901), "12345.678901");
  EXPECT_EQ(DecimalUsd(INT64_MIN), "-9223372036854.775808");
}

TEST(Result, HoldsAValueOrAnError) {
  Result<std::string> v = std::string("x");
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(*v, "x");
  EXPECT_TRUE(v.status().ok());
  Result<std::string> e = NotFound("nope");
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(e.status().message(), "nope");
}

// An ok Status has no value to give: once undefined behaviour, now an internal error.
TEST(Result, MadeFromAnOkStatusIsAnInternalError) {
  Result<int> r = Status::Ok();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInternal);
  EXPECT_NE(r.status().message().find("ok Status"), std::string::npos);
  Result<std::unique_ptr<int>> moved_only{Status()};
  EXPECT_FALSE(moved_only.ok());
}

TEST(Result, MovesItsValueOut) {
  Result<std::unique_ptr<int>> r = std::make_unique<int>(7);
  std::unique_ptr<int> p = std::move(r).value();
  EXPECT_EQ(*p, 7);
}

}  // namespace
}  // namespace sluice
