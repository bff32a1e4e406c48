#pragma once
//! The request side of the wire, shared by the server and the HTTP fuzz target: the Beast
//! parser as the server configures it, the problem a failed read is answered with, and the
//! ApiRequest view of a parsed request. Includes Beast: for src/http and tests/fuzz only.

#include <boost/beast/http.hpp>
#include <string_view>

#include "api/context.h"
#include "core/config.h"
#include "core/result.h"

namespace sluice {

using HttpRequest = boost::beast::http::request<boost::beast::http::string_body>;
using HttpRequestParser = boost::beast::http::request_parser<boost::beast::http::string_body>;

//! Sets the header and body limits of server.header_limit_bytes and server.body_limit_bytes.
void LimitParser(HttpRequestParser& parser, const ServerConfig& config);

//! The body limit of a request, once its header is read: compliance.upload_max_bytes for the
//! upload of a compliance job's ids (PUT /compliance/upload/:token), else
//! server.body_limit_bytes.
uint64_t BodyLimit(const HttpRequest& header, const Config& config);
//! The largest BodyLimit of any request: the parser's limit while it reads a header.
uint64_t MaxBodyLimit(const Config& config);

//! The error a request that could not be read is answered with (the connection then
//! closes): kPayloadTooLarge past the body limit (`body_limit`, 0: server.body_limit_bytes),
//! kHeaderTooLarge past the header limit, else kInvalidRequest "Malformed HTTP request". Not
//! for errors that end the connection silently (see IsSilentReadError).
Status ReadError(boost::beast::error_code ec, const ServerConfig& config, uint64_t body_limit = 0);

//! True for read errors with no one to answer: end of stream, reset, timeout, cancellation.
bool IsSilentReadError(boost::beast::error_code ec);

//! The handlers' view of `req` (it borrows from `req` and `request_id`). A 400 invalid-request
//! problem when the request is ambiguous: more than one Authorization header (which one
//! names the client is not ours to guess).
Result<ApiRequest> ToApiRequest(const HttpRequest& req, std::string_view request_id);

}  // namespace sluice
