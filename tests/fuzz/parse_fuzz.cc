// Fuzzes the text parsers of core/parse.h and core/listen_address.h against plain references:
// ParseInt agrees with a digit-by-digit reading in 128 bits (and with itself across types and
// ranges), SplitCommaList's items joined by ',' give the input back, and an accepted listen
// address is IPv4:PORT or [IPv6]:PORT with the port as written.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>

#include "core/listen_address.h"
#include "core/parse.h"

namespace {

[[noreturn]] void Fail(const char* what, std::string_view input) {
  std::fprintf(stderr, "parse_fuzz: %s: '%.*s'\n", what, int(input.size()), input.data());
  __builtin_trap();
}

// -?[0-9]+ as a 128-bit value, saturated past 40 digits; nullopt if not of that form.
std::optional<__int128> Reference(std::string_view s) {
  const bool negative = !s.empty() && s[0] == '-';
  std::string_view digits = negative ? s.substr(1) : s;
  if (digits.empty()) return std::nullopt;
  __int128 v = 0;
  const __int128 kCap = __int128(1) << 100;
  for (char c : digits) {
    if (c < '0' || c > '9') return std::nullopt;
    if (v < kCap) v = v * 10 + (c - '0');
  }
  return negative ? -v : v;
}

template <typename T>
void CheckInt(std::string_view text, T min, T max) {
  const auto got = sluice::ParseInt<T>(text, min, max);
  const auto want = Reference(text);
  if (!want) {
    if (got.error != sluice::IntError::kNotAnInteger) Fail("a non-integer accepted or called out of range", text);
    return;
  }
  const bool in_range = *want >= __int128(min) && *want <= __int128(max);
  if (in_range && (!got.ok() || __int128(got.value) != *want)) Fail("an integer in range refused or misread", text);
  if (!in_range && got.error != sluice::IntError::kOutOfRange) Fail("an integer out of range not called so", text);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);

  CheckInt<int64_t>(text, INT64_MIN, INT64_MAX);
  CheckInt<uint64_t>(text, 0, UINT64_MAX);
  CheckInt<int>(text, -1000, 1000);
  CheckInt<uint16_t>(text, 1, 65535);

  std::string joined;
  const auto items = sluice::SplitCommaList(text);
  for (size_t i = 0; i < items.size(); ++i) {
    if (items[i].find(',') != std::string_view::npos) Fail("an item holding a comma", text);
    joined += (i ? "," : "") + std::string(items[i]);
  }
  if (joined != text) Fail("items that do not join back to the input", text);

  auto listen = sluice::ParseListenAddress(text);
  if (listen.ok()) {
    const bool v6 = listen->host.find(':') != std::string::npos;
    const std::string host = v6 ? "[" + listen->host + "]" : listen->host;
    const std::string_view port = text.substr(host.size() + 1);
    if (text.substr(0, host.size()) != host || text[host.size()] != ':') Fail("a host not as written", text);
    if (!Reference(port) || *Reference(port) != listen->port) Fail("a port not as written", text);
  } else if (listen.status().message().find('\n') != std::string::npos) {
    Fail("an error of more than one line", text);
  }
  return 0;
}
