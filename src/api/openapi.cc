#include "api/openapi.h"

namespace sluice {

std::string_view OpenApiDocument() {
  static constexpr std::string_view kDocument =
#include "openapi.inc"
      ;
  return kDocument;
}

}  // namespace sluice
