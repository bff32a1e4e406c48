#pragma once
//! X API v2's problem shape (RFC 7807 with X's fields), and the one place where a Status
//! becomes one: its HTTP status, type URI, title, body members and headers (Allow, Retry-After).
//! Everything below src/http speaks Status (core/status.h); every error a client sees passes
//! through ToProblem.

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "api/context.h"
#include "core/status.h"

namespace sluice {

struct Problem {
  int status = 500;  // 0: a problem inside a stream, after its 200 (no status of its own, as X's)
  std::string type;  // full URI, e.g. https://api.x.com/2/problems/invalid-request, or about:blank
  std::string title;
  std::string detail;
  std::vector<ParameterError> errors;  // invalid-request only
  // e.g. Allow, Retry-After. Names are string literals, as ApiResponse::headers' (which these become).
  std::vector<std::pair<std::string_view, std::string>> headers;
  std::vector<std::pair<std::string, std::string>> fields;  // extra string members X sends (reason, scope...)

  //! The problem as application/problem+json text.
  std::string ToJson() const;
};

inline constexpr std::string_view kProblemBase = "https://api.x.com/2/problems/";
//! X's streaming problems (operational-disconnect, streaming-connection) carry this base in
//! X's own bodies and in its OpenAPI's mapping, not api.x.com: clients that match the type
//! match this one.
inline constexpr std::string_view kStreamProblemBase = "https://api.twitter.com/2/problems/";

//! The problem X sends for `status`; the detail is status.message(). Codes without an X
//! counterpart (internal, corruption, I/O, a usage error that reached HTTP, or an ok Status
//! by mistake) are a 500 internal-error.
Problem ToProblem(const Status& status);

//! X's operational-disconnect problem as the last line of a stream (JSON and "\r\n"), the
//! shape X's docs show: {"errors":[{"title":"operational-disconnect","disconnect_type":...,
//! "detail":...,"type":".../operational-disconnect"}]}. `disconnect_type` is one of X's
//! (OperationalDisconnect, SlowReader, ...).
std::string OperationalDisconnectLine(std::string_view disconnect_type, std::string_view detail);
//! The line a stream whose reader fell past server.stream_buffer_bytes gets (SlowReader).
std::string SlowReaderDisconnect();
//! The line every open stream gets when the server drains (OperationalDisconnect).
std::string ServerRestartDisconnect();

//! ToProblem(status) as a response: application/problem+json, with the problem's headers.
ApiResponse ProblemResponse(const Status& status);

}  // namespace sluice
