#pragma once
//! The address the server listens on (`server.listen`, `--listen`): "IPv4:PORT" or
//! "[IPv6]:PORT", PORT 0..65535 (0: the system picks one). Host names ("localhost:8080") are
//! not accepted: a name may resolve to several addresses, and the server binds one.

#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.h"

namespace sluice {

struct ListenAddress {
  std::string host;  // the IP address without brackets: "127.0.0.1", "::1"
  uint16_t port = 0;
};

//! Parses `text`. The error is a CommandError whose detail is the reason only ("the port
//! must be 0..65535"), on one line (control characters escaped as OneLineError does); callers
//! put the value and where it came from in front.
Result<ListenAddress> ParseListenAddress(std::string_view text);

}  // namespace sluice
