#pragma once
//! Status: the outcome of an operation that can fail in an expected way, as a value (leveldb's
//! `Status`, duckdb's `ErrorData`). An ok Status is a null pointer and allocates nothing; an
//! error holds a code, a message and, for the kinds whose X body has more members, a detail.
//! Copies share one immutable representation, so passing errors up the stack is cheap.
//!
//! Code that inspects an error asks for its code (`s.code() == StatusCode::kConflict`). How an
//! error looks on the wire (X's problem JSON, the HTTP status, Allow and Retry-After) is decided
//! in exactly one place, src/http/problem.h; nothing below src/http knows HTTP numbers.

#include <cstdint>
#include <iosfwd>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace sluice {

//! What went wrong, as callers need to tell errors apart. The X problem each becomes is in
//! src/http/problem.cc.
enum class StatusCode : uint8_t {
  kOk = 0,
  kInvalidRequest,        // a parameter or the request itself is malformed (parameter_errors())
  kUnauthorized,          // no valid bearer token
  kForbidden,             // the token may not act on this resource
  kClientForbidden,       // the app's plan or declared use does not allow the request (reason)
  kUnsupportedAuthentication,  // the kind of token (app-only, user context) is not accepted here
  kMissingScope,          // a user access token without a scope the endpoint requires
  kNotFound,              // the resource (or route) does not exist
  kMethodNotAllowed,      // the route exists for other methods (allow)
  kConflict,              // the write collides with existing data (e.g. a duplicate id)
  kPayloadTooLarge,       // the body is past the configured limit
  kHeaderTooLarge,        // the headers are past the configured limit
  kUnsupportedMediaType,  // the body is not JSON
  kRateLimited,           // the app is past its endpoint's rate limit
  kUsageCapped,           // the project is past its monthly post cap
  kCreditsExhausted,      // the prepaid balance cannot cover the response (balance, price)
  kTooManyConnections,    // a stream is at its connection limit (the plan's; X's ConnectionException)
  kStreamDisconnected,    // a stream ended by the server (reason: X's disconnect_type)
  kUnavailable,           // a dependency is busy or failing; retry later (retry_after_seconds)
  kInternal,              // a bug or an unexpected failure
  kCorruption,            // stored data (the ledger) is damaged
  kIOError,               // a system call on a file failed
  kUsage,                 // a command-line or config-file error: the message is the whole story
};

//! The code's name without the k, e.g. "Conflict" (logs and test output).
std::string_view StatusCodeName(StatusCode code);

//! One entry of `errors[]` in an invalid-request problem: the parameter at fault and why.
struct ParameterError {
  std::string parameter;
  std::string value;
  std::string message;
};

//! Members X's bodies carry beyond the message; only the ones for the status's code are set.
struct StatusDetail {
  std::vector<ParameterError> errors;  // kInvalidRequest
  std::string reason;                  // kClientForbidden: X's `reason`, e.g. client-not-enrolled;
                                       // kStreamDisconnected: X's disconnect_type
  std::string allow;                   // kMethodNotAllowed: the methods the route accepts
  int retry_after_seconds = 0;         // kUnavailable
  int64_t balance_micro_usd = 0;       // kCreditsExhausted
  int64_t price_micro_usd = 0;         // kCreditsExhausted
  // kNotFound, kForbidden on one resource: X's resource_type (required by its document),
  // the parameter that named it and its value (= resource_id).
  std::string resource_type;
  std::string resource_parameter;
  std::string resource_id;
};

class [[nodiscard]] Status {
 public:
  Status() noexcept = default;  // ok
  //! `code` kOk gives an ok Status (message and detail dropped).
  Status(StatusCode code, std::string message, std::shared_ptr<const StatusDetail> detail = nullptr);

  static Status Ok() { return {}; }
  bool ok() const { return rep_ == nullptr; }
  StatusCode code() const { return rep_ ? rep_->code : StatusCode::kOk; }
  //! Empty when ok. For the CLI and logs this is the whole error; X's body shows it as `detail`.
  const std::string& message() const;
  //! Null when there is none (always for an ok Status).
  const StatusDetail* detail() const { return rep_ ? rep_->detail.get() : nullptr; }
  //! The detail's parameter errors; empty when there are none.
  const std::vector<ParameterError>& parameter_errors() const;
  //! The same error (code and detail) with another message; ok stays ok.
  Status WithMessage(std::string message) const;
  //! "Conflict: post 5 already exists", or "OK".
  std::string ToString() const;

 private:
  struct Rep {
    StatusCode code;
    std::string message;
    std::shared_ptr<const StatusDetail> detail;
  };
  std::shared_ptr<const Rep> rep_;
};

// Constructors for the kinds Sluice returns; the messages follow X's wording where X has one.
Status InvalidRequest(std::string parameter, std::string value, std::string message);
Status InvalidRequest(std::vector<ParameterError> errors);
//! An invalid request that no single parameter explains (a malformed HTTP message).
Status MalformedRequest(std::string message);
Status Unauthorized();
//! 401 with the reason (sign-in pages say it; the API's 401 stays X's bare "Unauthorized").
Status UnauthorizedBecause(std::string reason);
Status NotFound(std::string message);
Status Forbidden(std::string message);
//! The resource `resource_type` ("tweet", "user") named by `parameter`=`id` does not exist /
//! may not be acted on: the problem carries X's resource_type, parameter, value, resource_id.
Status NotFound(std::string resource_type, std::string parameter, std::string id, std::string message);
Status Forbidden(std::string resource_type, std::string parameter, std::string id, std::string message);
//! A client whose plan lacks the endpoint (or, with another reason, the use).
Status ClientForbidden(std::string reason, std::string message);
//! X's 403 "Unsupported Authentication" (problems/unsupported-authentication), e.g. an app-only
//! bearer token on an endpoint that acts for an account.
Status UnsupportedAuthentication(std::string message);
//! X's 403 for a user access token that lacks a scope the endpoint requires (about:blank,
//! "Forbidden"); the message names the scopes missing.
Status MissingScope(std::string message);
//! The rate limit (X's body has a fixed message).
Status TooManyRequests();
//! A stream already has the connections its plan allows (X's 429 ConnectionException,
//! connection_issue TooManyConnections, with X's fixed message).
Status TooManyConnections();
//! The monthly post cap of the project's product (X's fixed message).
Status UsageCapExceeded();
//! A pay-per-use project whose prepaid balance cannot cover a response. Both amounts are
//! integer micro-dollars; the message gives them in dollars.
Status CreditsExhausted(int64_t balance_micro_usd, int64_t price_micro_usd);
//! X's operational-disconnect problem, the last line of a stream the server ends;
//! `disconnect_type` is X's ("OperationalDisconnect", "SlowReader"...).
Status StreamDisconnected(std::string disconnect_type, std::string message);
//! The one for a reader too slow for its stream (disconnect_type SlowReader, X's detail).
Status StreamTooSlow();
//! `allow`: the methods the route accepts, e.g. "GET, POST".
Status MethodNotAllowed(std::string allow);
Status PayloadTooLarge(std::string message);
Status HeaderTooLarge(std::string message);
Status UnsupportedMediaType(std::string message);
Status Conflict(std::string message);
Status ServiceUnavailable(std::string message, int retry_after_seconds);
Status InternalError(std::string message);
Status Corruption(std::string message);
Status IOError(std::string message);
//! A usage error of the command line or a config file; the message is what the user reads.
Status CommandError(std::string message);

//! The exception being handled as a kInternal Status ("unexpected exception: <what()>"), for
//! the one boundary that turns exceptions into values (a stage or handler that threw must
//! answer with a 500, not end the process). Call only inside a catch block; never throws.
Status CurrentExceptionStatus() noexcept;

//! For test output (GoogleTest finds these): "Conflict", "Conflict: post 5 already exists".
void PrintTo(StatusCode code, std::ostream* os);
void PrintTo(const Status& status, std::ostream* os);

//! Micro-dollars as a decimal dollar string with six places: 4'000 -> "0.004000", -1 -> "-0.000001".
std::string DecimalUsd(int64_t micro_usd);

}  // namespace sluice
