#include "http/problem.h"

#include "api/stream_connection.h"
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
  if (status != 0) {
    w.Key("status");
    w.Int(status);
  }
  for (const auto& [k, v] : fields) w.Member(k, v);
  w.EndObject();
  return w.Take();
}

namespace {
// `type_suffix` empty: about:blank (X sends that for its plain HTTP errors).
Problem Make(int status, std::string_view type_suffix, std::string title, std::string detail) {
  Problem p;
  p.status = status;
  p.type = type_suffix.empty() ? std::string("about:blank") : std::string(kProblemBase) + std::string(type_suffix);
  p.title = std::move(title);
  p.detail = std::move(detail);
  return p;
}

// X's resource members of a not-found / not-authorized problem, when the status names one.
Problem WithResource(Problem p, const StatusDetail& d) {
  if (d.resource_type.empty()) return p;
  p.fields.emplace_back("resource_type", d.resource_type);
  p.fields.emplace_back("parameter", d.resource_parameter);
  p.fields.emplace_back("value", d.resource_id);
  p.fields.emplace_back("resource_id", d.resource_id);
  return p;
}
}  // namespace

Problem ToProblem(const Status& s) {
  static const StatusDetail kNoDetail;
  const StatusDetail& d = s.detail() ? *s.detail() : kNoDetail;
  const std::string& m = s.message();
  switch (s.code()) {
    case StatusCode::kInvalidRequest: {
      Problem p = Make(400, "invalid-request", "Invalid Request", m);
      p.errors = d.errors;
      return p;
    }
    case StatusCode::kUnauthorized:
      return Make(401, "", "Unauthorized", m);
    case StatusCode::kForbidden:
      return WithResource(Make(403, "not-authorized-for-resource", "Forbidden", m), d);
    case StatusCode::kClientForbidden: {
      Problem p = Make(403, "client-forbidden", "Client Forbidden", m);
      p.fields.emplace_back("reason", d.reason);
      p.fields.emplace_back("required_enrollment", "Appropriate Level of API Access");
      return p;
    }
    case StatusCode::kUnsupportedAuthentication:
      return Make(403, "unsupported-authentication", "Unsupported Authentication", m);
    case StatusCode::kMissingScope:
      return Make(403, "", "Forbidden", m);
    case StatusCode::kNotFound:
      return WithResource(Make(404, "resource-not-found", "Not Found Error", m), d);
    case StatusCode::kMethodNotAllowed: {
      Problem p = Make(405, "", "Method Not Allowed", m);
      p.headers.emplace_back("Allow", d.allow);
      return p;
    }
    case StatusCode::kConflict:
      return Make(409, "resource-conflict", "Conflict", m);
    case StatusCode::kPayloadTooLarge:
      return Make(413, "", "Payload Too Large", m);
    case StatusCode::kHeaderTooLarge:
      return Make(431, "", "Request Header Fields Too Large", m);
    case StatusCode::kUnsupportedMediaType:
      return Make(415, "", "Unsupported Media Type", m);
    case StatusCode::kRateLimited:
      return Make(429, "", "Too Many Requests", m);
    case StatusCode::kUsageCapped: {
      Problem p = Make(429, "usage-capped", "UsageCapExceeded", m);
      p.fields.emplace_back("period", "Monthly");
      p.fields.emplace_back("scope", "Product");
      return p;
    }
    case StatusCode::kStreamDisconnected: {
      // In a stream, after its 200: the status is never sent; the problem is the last line
      // (OperationalDisconnectLine).
      Problem p = Make(0, "", "operational-disconnect", m);
      p.type = std::string(kStreamProblemBase) + "operational-disconnect";
      p.fields.emplace_back("disconnect_type", d.reason);
      return p;
    }
    case StatusCode::kCreditsExhausted: {
      Problem p = Make(402, "credits-exhausted", "Payment Required", m);
      p.fields.emplace_back("balance_usd", DecimalUsd(d.balance_micro_usd));
      p.fields.emplace_back("price_usd", DecimalUsd(d.price_micro_usd));
      return p;
    }
    case StatusCode::kUnavailable: {
      // X's document requires resource_type in this problem: the resource the status names,
      // else the service itself (a store or ledger that cannot answer now).
      Problem p = Make(503, "resource-unavailable", "Service Unavailable", m);
      p.fields.emplace_back("resource_type", d.resource_type.empty() ? "service" : d.resource_type);
      p.headers.emplace_back("Retry-After", std::to_string(d.retry_after_seconds));
      return p;
    }
    case StatusCode::kTooManyConnections: {
      // X's body: title ConnectionException, its own type base (kStreamProblemBase), and
      // connection_issue TooManyConnections.
      Problem p = Make(429, "", "ConnectionException", m);
      p.type = std::string(kStreamProblemBase) + "streaming-connection";
      p.fields.emplace_back("connection_issue", "TooManyConnections");
      return p;
    }
    case StatusCode::kOk:
      return Make(500, "internal-error", "Internal Error", "An ok status was sent as an error");
    case StatusCode::kInternal:
    case StatusCode::kCorruption:
    case StatusCode::kIOError:
    case StatusCode::kUsage:
      break;
  }
  return Make(500, "internal-error", "Internal Error", m);
}

std::string OperationalDisconnectLine(std::string_view disconnect_type, std::string_view detail) {
  return ErrorLine(ProblemResponse(StreamDisconnected(std::string(disconnect_type), std::string(detail))));
}

std::string SlowReaderDisconnect() {
  const Status s = StreamTooSlow();
  return OperationalDisconnectLine(s.detail()->reason, s.message());
}

std::string ServerRestartDisconnect() {
  return OperationalDisconnectLine("OperationalDisconnect", "This stream has been disconnected for operational reasons.");
}

ApiResponse ProblemResponse(const Status& status) {
  Problem p = ToProblem(status);
  ApiResponse r;
  r.status = p.status;
  r.content_type = "application/problem+json";
  r.body = p.ToJson();
  r.headers = std::move(p.headers);
  return r;
}

}  // namespace sluice
