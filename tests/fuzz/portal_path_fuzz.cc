// Fuzzes the portal's path check (PortalFileName): whatever the bytes, a file name or a 400
// naming "path", never a crash; an accepted name is relative, at most two segments, each of
// [A-Za-z0-9._-] not starting with '.', so it can never leave the web directory.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "api/portal_files.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace sluice;
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  for (std::string path : {std::string(bytes), "/portal/" + std::string(bytes)}) {
    auto r = PortalFileName(path);
    if (!r.ok()) {
      if (r.status().code() != StatusCode::kInvalidRequest) std::abort();
      if (r.status().parameter_errors().empty() || r.status().parameter_errors().front().parameter != "path") std::abort();
      continue;
    }
    const std::string& name = *r;
    if (name.empty() || name.front() == '/' || name.size() > 201) std::abort();
    int segments = 0;
    size_t start = 0;
    while (true) {
      size_t slash = name.find('/', start);
      std::string_view seg = std::string_view(name).substr(start, slash == std::string::npos ? std::string::npos : slash - start);
      if (seg.empty() || seg.front() == '.') std::abort();
      for (char c : seg)
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-'))
          std::abort();
      if (++segments > 2) std::abort();
      if (slash == std::string::npos) break;
      start = slash + 1;
    }
    if (!IsPortalPath(path)) std::abort();
  }
  return 0;
}
