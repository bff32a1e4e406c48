// Feeds arbitrary bytes to ImportJsonl as a JSONL stream: it must return (ok or an error),
// never crash, hang or throw.
#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>

#include "ingest/import.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::istringstream in(std::string(reinterpret_cast<const char*>(data), size));
  auto result = sluice::ImportJsonl(in, "fuzz.jsonl");
  if (!result.ok() && result.status().message().empty()) __builtin_trap();
  return 0;
}
