#pragma once
//! The bytes of one HTTP/1.1 response as the server writes them: status line, Content-Type,
//! x-request-id, the response's own headers, the keep-alive choice, Content-Length and the
//! body, serialized by Beast into one contiguous buffer (one write per response). Beast-free
//! header and no socket, so tests and benchmarks see exactly what a client receives.

#include <string>
#include <string_view>

#include "api/context.h"

namespace sluice {

std::string ResponseBytes(ApiResponse response, bool keep_alive, std::string_view request_id);

}  // namespace sluice
