#pragma once
//! Problem: one error in X API v2's problem shape (RFC 7807 with X's fields). Every failure
//! that reaches a client is a Problem; http/ renders it in exactly one place.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace sluice {

//! One entry of `errors[]` in an invalid-request problem: the parameter at fault and why.
struct ParameterError {
  std::string parameter;
  std::string value;
  std::string message;
};

struct Problem {
  int status = 500;
  std::string type;   // full URI, e.g. https://api.x.com/2/problems/invalid-request, or about:blank
  std::string title;
  std::string detail;
  std::vector<ParameterError> errors;  // invalid-request only
  // e.g. Allow, Retry-After. Names are string literals, as ApiResponse::headers' (which these become).
  std::vector<std::pair<std::string_view, std::string>> headers;
  std::vector<std::pair<std::string, std::string>> fields;   // extra string members X sends (reason, scope...)

  //! The problem as application/problem+json text.
  std::string ToJson() const;
};

inline constexpr std::string_view kProblemBase = "https://api.x.com/2/problems/";

// Constructors for the kinds Sluice returns; the wording follows X where X has one.
Problem InvalidRequest(std::string parameter, std::string value, std::string message);
Problem InvalidRequest(std::vector<ParameterError> errors);
Problem Unauthorized();
Problem NotFound(std::string detail);
Problem Forbidden(std::string detail);
//! X's 403 for a client whose plan lacks the endpoint (or, with another reason, the use).
Problem ClientForbidden(std::string reason, std::string detail);
//! X's 429 rate-limit body, exactly.
Problem TooManyRequests();
//! X's 429 for a project past its monthly post cap (type usage-capped, period Monthly,
//! scope Product), exactly.
Problem UsageCapExceeded();
//! Sluice's 402 for a pay-per-use project whose prepaid balance cannot cover a response.
//! Both amounts are integer micro-dollars; the body gives them as decimal dollar strings
//! (balance_usd, price_usd: "0.004000").
Problem CreditsExhausted(int64_t balance_micro_usd, int64_t price_micro_usd);
Problem MethodNotAllowed(std::string allow);
Problem PayloadTooLarge(std::string detail);
Problem UnsupportedMediaType(std::string detail);
Problem Conflict(std::string detail);
Problem ServiceUnavailable(std::string detail, int retry_after_seconds);
Problem InternalError(std::string detail);
//! A usage error of the command line or a config file: status 0, the detail is the message.
Problem CommandError(std::string detail);

}  // namespace sluice
