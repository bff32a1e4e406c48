#include "http/wire.h"

#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <sstream>

namespace sluice {

namespace beast = boost::beast;
namespace http = beast::http;

std::string ResponseBytes(ApiResponse r, bool keep_alive, std::string_view request_id) {
  http::response<http::string_body> res(http::status(r.status), 11);
  res.set(http::field::content_type, r.content_type);
  res.set("x-request-id", request_id);
  for (auto& [k, v] : r.headers) res.insert(k, v);  // insert: Set-Cookie may come twice
  res.keep_alive(keep_alive);
  res.body() = std::move(r.body);
  res.prepare_payload();
  // Serialized here, written by the caller with one async_write: handing the message itself
  // to http::async_write costs more than the serialization, as its write loop walks the
  // header's and body's buffer sequence through several adaptor layers on every step (about
  // a tenth of the server's CPU on small responses). The walk is the cost here too, about
  // 30 ns a header: split, the header is visited on its own (the body is one more visit) in
  // fewer layers, and the bytes are counted while copied rather than walked again.
  std::string out;
  out.reserve(512 + res.body().size());
  http::response_serializer<http::string_body> sr(res);
  sr.split(true);
  beast::error_code ec;
  do {
    sr.next(ec, [&](beast::error_code& visit_ec, const auto& buffers) {
      visit_ec = {};
      size_t bytes = 0;
      for (auto b : beast::buffers_range_ref(buffers)) {
        out.append(static_cast<const char*>(b.data()), b.size());
        bytes += b.size();
      }
      sr.consume(bytes);
    });
  } while (!ec && !sr.is_done());
  return out;  // a string body cannot fail to serialize
}

std::string StreamHeadBytes(const ApiResponse& r, std::string_view request_id) {
  http::response<http::empty_body> res(http::status(r.status), 11);
  res.set(http::field::content_type, r.content_type);
  res.set("x-request-id", request_id);
  for (auto& [k, v] : r.headers) res.insert(k, v);
  res.keep_alive(false);
  res.chunked(true);
  std::ostringstream out;  // once per stream: Beast's header printer is plenty
  out << res.base();
  return std::move(out).str();
}

size_t ChunkBytes(size_t n) {
  if (n == 0) return 0;
  size_t digits = 1;
  for (size_t v = n >> 4; v != 0; v >>= 4) ++digits;
  return digits + 2 + n + 2;
}

void AppendChunk(std::string& out, std::string_view data) {
  if (data.empty()) return;
  char hex[16];
  int i = 16;
  for (size_t v = data.size(); v != 0; v >>= 4) hex[--i] = "0123456789abcdef"[v & 0xf];
  out.append(hex + i, size_t(16 - i));
  out.append("\r\n");
  out.append(data);
  out.append("\r\n");
}

}  // namespace sluice
