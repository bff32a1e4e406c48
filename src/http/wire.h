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

//! The head of a streaming response (api/stream_sink.h): status line, Content-Type,
//! x-request-id, the response's own headers (x-rate-limit-*), Connection: close (a stream's
//! connection is never kept alive after it), Transfer-Encoding: chunked, and the blank line.
//! The response's body is not sent.
std::string StreamHeadBytes(const ApiResponse& response, std::string_view request_id);

//! Appends `data` to `out` as one chunk of a chunked body: its size in hex, CRLF, the data,
//! CRLF. Empty data appends nothing (an empty chunk is the last one, kLastChunk).
void AppendChunk(std::string& out, std::string_view data);
//! The bytes AppendChunk adds for `data_bytes` of data (0 for 0).
size_t ChunkBytes(size_t data_bytes);
//! The last chunk, with no trailer: the end of a chunked body.
inline constexpr std::string_view kLastChunk = "0\r\n\r\n";

}  // namespace sluice
