#include "http/request.h"

#include <algorithm>

#include "core/routes.h"

#include <boost/asio/error.hpp>
#include <boost/asio/ssl/error.hpp>

namespace sluice {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

void LimitParser(HttpRequestParser& parser, const ServerConfig& config) {
  parser.header_limit(uint32_t(config.header_limit_bytes));
  parser.body_limit(uint64_t(config.body_limit_bytes));
}

bool IsSilentReadError(beast::error_code ec) {
  return ec == http::error::end_of_stream || ec == beast::error::timeout || ec == asio::error::operation_aborted ||
         ec == asio::error::connection_reset || ec == asio::error::eof || ec == asio::ssl::error::stream_truncated;
}

uint64_t BodyLimit(const HttpRequest& header, const Config& config) {
  std::string_view target = header.target();
  RouteMatch m = MatchRoute(header.method_string(), target.substr(0, target.find('?')));
  if (m.route == RouteId::kUploadComplianceIds) return uint64_t(config.compliance.upload_max_bytes);
  return uint64_t(config.server.body_limit_bytes);
}

uint64_t MaxBodyLimit(const Config& config) {
  return uint64_t(std::max(config.server.body_limit_bytes, config.compliance.upload_max_bytes));
}

Status ReadError(beast::error_code ec, const ServerConfig& config, uint64_t body_limit) {
  if (ec == http::error::body_limit)
    return PayloadTooLarge("The request body is larger than " +
                           std::to_string(body_limit ? body_limit : uint64_t(config.body_limit_bytes)) + " bytes");
  if (ec == http::error::header_limit)
    return HeaderTooLarge("The request headers are larger than " + std::to_string(config.header_limit_bytes) + " bytes");
  return MalformedRequest("Malformed HTTP request: " + ec.message());
}

Result<ApiRequest> ToApiRequest(const HttpRequest& req, std::string_view request_id) {
  if (req.count(http::field::authorization) > 1)
    return InvalidRequest("Authorization", "", "The request has more than one Authorization header");
  std::string_view target = req.target();
  size_t q = target.find('?');
  ApiRequest r{req.method_string(),
                    target.substr(0, q),
                    q == std::string_view::npos ? std::string_view() : target.substr(q + 1),
                    req[http::field::authorization],
                    req[http::field::content_type],
                    req[http::field::accept],
                    req.body(),
                    request_id};
  r.cookie = req[http::field::cookie];
  r.http10 = req.version() < 11;
  if (auto range = req.find(http::field::content_range); range != req.end()) {
    if (req.count(http::field::content_range) > 1)
      return InvalidRequest("Content-Range", "", "The request has more than one Content-Range header");
    r.content_range = range->value();
  }
  r.goog_resumable = req["x-goog-resumable"];
  r.host = req[http::field::host];
  r.origin = req[http::field::origin];
  r.csrf_token = req["x-csrf-token"];
  return r;
}

}  // namespace sluice
