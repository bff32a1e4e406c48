#include "api/context.h"

namespace sluice {

ApiResponse ApiResponse::Json(int status, std::string body) {
  ApiResponse r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

}  // namespace sluice
