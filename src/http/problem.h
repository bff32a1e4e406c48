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
  int status = 500;
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

//! The problem X sends for `status`; the detail is status.message(). Codes without an X
//! counterpart (internal, corruption, I/O, a usage error that reached HTTP, or an ok Status
//! by mistake) are a 500 internal-error.
Problem ToProblem(const Status& status);

//! ToProblem(status) as a response: application/problem+json, with the problem's headers.
ApiResponse ProblemResponse(const Status& status);

}  // namespace sluice
