// Fuzzes the TOML config loader: any bytes give a Config or a one-line error, never a crash.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  (void)sluice::ParseConfig(std::string_view(reinterpret_cast<const char*>(data), size), "fuzz.toml");
  return 0;
}
