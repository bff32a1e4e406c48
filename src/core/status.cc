#include "core/status.h"

#include <exception>
#include <ostream>

namespace sluice {

std::string_view StatusCodeName(StatusCode code) {
  switch (code) {
    case StatusCode::kOk: return "OK";
    case StatusCode::kInvalidRequest: return "InvalidRequest";
    case StatusCode::kUnauthorized: return "Unauthorized";
    case StatusCode::kForbidden: return "Forbidden";
    case StatusCode::kClientForbidden: return "ClientForbidden";
    case StatusCode::kUnsupportedAuthentication: return "UnsupportedAuthentication";
    case StatusCode::kMissingScope: return "MissingScope";
    case StatusCode::kNotFound: return "NotFound";
    case StatusCode::kMethodNotAllowed: return "MethodNotAllowed";
    case StatusCode::kConflict: return "Conflict";
    case StatusCode::kPayloadTooLarge: return "PayloadTooLarge";
    case StatusCode::kHeaderTooLarge: return "HeaderTooLarge";
    case StatusCode::kUnsupportedMediaType: return "UnsupportedMediaType";
    case StatusCode::kRateLimited: return "RateLimited";
    case StatusCode::kUsageCapped: return "UsageCapped";
    case StatusCode::kTooManyConnections: return "TooManyConnections";
    case StatusCode::kStreamDisconnected: return "StreamDisconnected";
    case StatusCode::kCreditsExhausted: return "CreditsExhausted";
    case StatusCode::kUnavailable: return "Unavailable";
    case StatusCode::kInternal: return "Internal";
    case StatusCode::kCorruption: return "Corruption";
    case StatusCode::kIOError: return "IOError";
    case StatusCode::kUsage: return "Usage";
  }
  return "Unknown";
}

Status::Status(StatusCode code, std::string message, std::shared_ptr<const StatusDetail> detail) {
  if (code == StatusCode::kOk) return;
  rep_ = std::make_shared<const Rep>(Rep{code, std::move(message), std::move(detail)});
}

const std::string& Status::message() const {
  static const std::string kEmpty;
  return rep_ ? rep_->message : kEmpty;
}

const std::vector<ParameterError>& Status::parameter_errors() const {
  static const std::vector<ParameterError> kNone;
  const StatusDetail* d = detail();
  return d ? d->errors : kNone;
}

Status Status::WithMessage(std::string message) const {
  if (ok()) return *this;
  return Status(rep_->code, std::move(message), rep_->detail);
}

std::string Status::ToString() const {
  if (ok()) return "OK";
  return std::string(StatusCodeName(code())) + ": " + message();
}

namespace {
Status WithDetail(StatusCode code, std::string message, StatusDetail detail) {
  return Status(code, std::move(message), std::make_shared<const StatusDetail>(std::move(detail)));
}
}  // namespace

Status InvalidRequest(std::string parameter, std::string value, std::string message) {
  return InvalidRequest(std::vector<ParameterError>{{std::move(parameter), std::move(value), std::move(message)}});
}

Status InvalidRequest(std::vector<ParameterError> errors) {
  StatusDetail d;
  d.errors = std::move(errors);
  return WithDetail(StatusCode::kInvalidRequest, "One or more parameters to your request was invalid.", std::move(d));
}

Status MalformedRequest(std::string message) { return Status(StatusCode::kInvalidRequest, std::move(message)); }

Status Unauthorized() { return Status(StatusCode::kUnauthorized, "Unauthorized"); }

Status UnauthorizedBecause(std::string reason) { return Status(StatusCode::kUnauthorized, std::move(reason)); }

Status NotFound(std::string message) { return Status(StatusCode::kNotFound, std::move(message)); }

Status Forbidden(std::string message) { return Status(StatusCode::kForbidden, std::move(message)); }

namespace {
StatusDetail ResourceDetail(std::string resource_type, std::string parameter, std::string id) {
  StatusDetail d;
  d.resource_type = std::move(resource_type);
  d.resource_parameter = std::move(parameter);
  d.resource_id = std::move(id);
  return d;
}
}  // namespace

Status NotFound(std::string resource_type, std::string parameter, std::string id, std::string message) {
  return WithDetail(StatusCode::kNotFound, std::move(message),
                    ResourceDetail(std::move(resource_type), std::move(parameter), std::move(id)));
}

Status Forbidden(std::string resource_type, std::string parameter, std::string id, std::string message) {
  return WithDetail(StatusCode::kForbidden, std::move(message),
                    ResourceDetail(std::move(resource_type), std::move(parameter), std::move(id)));
}

Status ClientForbidden(std::string reason, std::string message) {
  StatusDetail d;
  d.reason = std::move(reason);
  return WithDetail(StatusCode::kClientForbidden, std::move(message), std::move(d));
}

Status UnsupportedAuthentication(std::string message) {
  return Status(StatusCode::kUnsupportedAuthentication, std::move(message));
}

Status MissingScope(std::string message) { return Status(StatusCode::kMissingScope, std::move(message)); }

Status TooManyConnections() {
  return Status(StatusCode::kTooManyConnections, "This stream is currently at the maximum allowed connection limit.");
}
Status TooManyRequests() { return Status(StatusCode::kRateLimited, "Too Many Requests"); }

Status StreamDisconnected(std::string disconnect_type, std::string message) {
  auto d = std::make_shared<StatusDetail>();
  d->reason = std::move(disconnect_type);
  return Status(StatusCode::kStreamDisconnected, std::move(message), std::move(d));
}

Status StreamTooSlow() {
  return StreamDisconnected("SlowReader", "This stream has been disconnected because your client was reading too slowly.");
}

Status UsageCapExceeded() { return Status(StatusCode::kUsageCapped, "Usage cap exceeded: Monthly product cap"); }

Status CreditsExhausted(int64_t balance_micro_usd, int64_t price_micro_usd) {
  StatusDetail d;
  d.balance_micro_usd = balance_micro_usd;
  d.price_micro_usd = price_micro_usd;
  return WithDetail(StatusCode::kCreditsExhausted,
                    "The project's prepaid balance $" + DecimalUsd(balance_micro_usd) +
                        " does not cover this response ($" + DecimalUsd(price_micro_usd) + ")",
                    std::move(d));
}

Status MethodNotAllowed(std::string allow) {
  std::string message = "This route does not accept this method. Allowed: " + allow;
  StatusDetail d;
  d.allow = std::move(allow);
  return WithDetail(StatusCode::kMethodNotAllowed, std::move(message), std::move(d));
}

Status PayloadTooLarge(std::string message) { return Status(StatusCode::kPayloadTooLarge, std::move(message)); }

Status HeaderTooLarge(std::string message) { return Status(StatusCode::kHeaderTooLarge, std::move(message)); }

Status UnsupportedMediaType(std::string message) {
  return Status(StatusCode::kUnsupportedMediaType, std::move(message));
}

Status Conflict(std::string message) { return Status(StatusCode::kConflict, std::move(message)); }

Status ServiceUnavailable(std::string message, int retry_after_seconds) {
  StatusDetail d;
  d.retry_after_seconds = retry_after_seconds;
  return WithDetail(StatusCode::kUnavailable, std::move(message), std::move(d));
}

Status InternalError(std::string message) { return Status(StatusCode::kInternal, std::move(message)); }

Status Corruption(std::string message) { return Status(StatusCode::kCorruption, std::move(message)); }

Status IOError(std::string message) { return Status(StatusCode::kIOError, std::move(message)); }

Status CommandError(std::string message) { return Status(StatusCode::kUsage, std::move(message)); }

namespace {
const Status kUnexpectedException = InternalError("unexpected exception");
}  // namespace

Status CurrentExceptionStatus() noexcept {
  try {
    try {
      throw;
    } catch (const std::exception& e) {
      return InternalError(std::string("unexpected exception: ") + e.what());
    } catch (...) {
      return InternalError("unexpected exception of an unknown type");
    }
  } catch (...) {  // out of memory while making the message: the one made at start-up
    return kUnexpectedException;
  }
}

void PrintTo(StatusCode code, std::ostream* os) { *os << StatusCodeName(code); }

void PrintTo(const Status& status, std::ostream* os) { *os << status.ToString(); }

std::string DecimalUsd(int64_t micro) {
  uint64_t m = micro < 0 ? 0 - uint64_t(micro) : uint64_t(micro);
  std::string frac = std::to_string(m % 1'000'000);
  std::string out = micro < 0 ? "-" : "";
  out += std::to_string(m / 1'000'000);
  out += '.';
  out.append(6 - frac.size(), '0');
  out += frac;
  return out;
}

}  // namespace sluice
