#include "core/problem.h"

#include "core/json_writer.h"

namespace sluice {

std::string Problem::ToJson() const {
  JsonWriter w;
  w.BeginObject();
  if (!errors.empty()) {
    w.Key("errors");
    w.BeginArray();
    for (const auto& e : errors) {
      w.BeginObject();
      w.Key("parameters");
      w.BeginObject();
      w.Key(e.parameter);
      w.BeginArray();
      w.String(e.value);
      w.EndArray();
      w.EndObject();
      w.Key("message");
      w.String(e.message);
      w.EndObject();
    }
    w.EndArray();
  }
  w.Key("title");
  w.String(title);
  w.Key("detail");
  w.String(detail);
  w.Key("type");
  w.String(type);
  w.Key("status");
  w.Int(status);
  for (const auto& [k, v] : fields) w.Member(k, v);
  w.EndObject();
  return w.Take();
}

namespace {
Problem Make(int status, std::string_view type_suffix, std::string title, std::string detail) {
  Problem p;
  p.status = status;
  p.type = type_suffix.empty() ? std::string("about:blank") : std::string(kProblemBase) + std::string(type_suffix);
  p.title = std::move(title);
  p.detail = std::move(detail);
  return p;
}

// 4'000 -> "0.004000"; -1 -> "-0.000001".
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
}  // namespace

Problem InvalidRequest(std::string parameter, std::string value, std::string message) {
  return InvalidRequest(std::vector<ParameterError>{{std::move(parameter), std::move(value), std::move(message)}});
}

Problem InvalidRequest(std::vector<ParameterError> errors) {
  Problem p = Make(400, "invalid-request", "Invalid Request", "One or more parameters to your request was invalid.");
  p.errors = std::move(errors);
  return p;
}

Problem Unauthorized() { return Make(401, "", "Unauthorized", "Unauthorized"); }

Problem NotFound(std::string detail) { return Make(404, "resource-not-found", "Not Found Error", std::move(detail)); }

Problem Forbidden(std::string detail) { return Make(403, "not-authorized-for-resource", "Forbidden", std::move(detail)); }

Problem ClientForbidden(std::string reason, std::string detail) {
  Problem p = Make(403, "client-forbidden", "Client Forbidden", std::move(detail));
  p.fields.emplace_back("reason", std::move(reason));
  p.fields.emplace_back("required_enrollment", "Appropriate Level of API Access");
  return p;
}

Problem TooManyRequests() { return Make(429, "", "Too Many Requests", "Too Many Requests"); }

Problem UsageCapExceeded() {
  Problem p = Make(429, "usage-capped", "UsageCapExceeded", "Usage cap exceeded: Monthly product cap");
  p.fields.emplace_back("period", "Monthly");
  p.fields.emplace_back("scope", "Product");
  return p;
}

Problem CreditsExhausted(int64_t balance_micro_usd, int64_t price_micro_usd) {
  std::string balance = DecimalUsd(balance_micro_usd);
  std::string price = DecimalUsd(price_micro_usd);
  Problem p = Make(402, "credits-exhausted", "Payment Required",
                   "The project's prepaid balance $" + balance + " does not cover this response ($" + price + ")");
  p.fields.emplace_back("balance_usd", std::move(balance));
  p.fields.emplace_back("price_usd", std::move(price));
  return p;
}

Problem MethodNotAllowed(std::string allow) {
  Problem p = Make(405, "", "Method Not Allowed", "This route does not accept this method. Allowed: " + allow);
  p.headers.emplace_back("Allow", std::move(allow));
  return p;
}

Problem PayloadTooLarge(std::string detail) { return Make(413, "", "Payload Too Large", std::move(detail)); }

Problem UnsupportedMediaType(std::string detail) { return Make(415, "", "Unsupported Media Type", std::move(detail)); }

Problem Conflict(std::string detail) { return Make(409, "resource-conflict", "Conflict", std::move(detail)); }

Problem ServiceUnavailable(std::string detail, int retry_after_seconds) {
  Problem p = Make(503, "resource-unavailable", "Service Unavailable", std::move(detail));
  p.headers.emplace_back("Retry-After", std::to_string(retry_after_seconds));
  return p;
}

Problem InternalError(std::string detail) { return Make(500, "internal-error", "Internal Error", std::move(detail)); }

Problem CommandError(std::string detail) {
  Problem p;
  p.status = 0;
  p.title = "Error";
  p.detail = std::move(detail);
  return p;
}

}  // namespace sluice
