#include "core/listen_address.h"

#include <arpa/inet.h>

#include "core/config.h"
#include "core/parse.h"

namespace sluice {

namespace {

Result<ListenAddress> Parse(std::string_view text) {
  const size_t colon = text.rfind(':');
  if (colon == std::string_view::npos) return CommandError("expected IPv4:PORT or [IPv6]:PORT");
  std::string_view host = text.substr(0, colon);
  const std::string_view port = text.substr(colon + 1);
  const bool bracketed = host.size() >= 2 && host.front() == '[' && host.back() == ']';
  if (bracketed) host = host.substr(1, host.size() - 2);
  if (host.empty()) return CommandError("expected IPv4:PORT or [IPv6]:PORT (no host)");
  unsigned char buf[16];
  const std::string host_text(host);
  // An IPv6 address must be bracketed, else "::1:80" would be ambiguous; IPv4 must not be.
  // inet_pton reads up to a NUL: "1.0.0.2\0junk" must not pass as 1.0.0.2 (found by parse_fuzz).
  const bool ok = host_text.find('\0') == std::string::npos &&
                  inet_pton(bracketed ? AF_INET6 : AF_INET, host_text.c_str(), buf) == 1;
  if (!ok) return CommandError("'" + host_text + "' is not an IP address (IPv4, or IPv6 in brackets; host names are not accepted)");
  if (port.empty()) return CommandError("expected IPv4:PORT or [IPv6]:PORT (no port)");
  const auto parsed = ParseInt<uint16_t>(port);
  if (parsed.error == IntError::kNotAnInteger) return CommandError("the port '" + std::string(port) + "' is not an integer");
  if (!parsed.ok()) return CommandError("the port must be 0..65535");
  return ListenAddress{host_text, parsed.value};
}

}  // namespace

Result<ListenAddress> ParseListenAddress(std::string_view text) {
  auto parsed = Parse(text);
  if (!parsed.ok()) return OneLineError(parsed.status());  // it quotes the text, which may hold a line break
  return parsed;
}

}  // namespace sluice
