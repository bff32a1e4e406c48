#include "api/context.h"

namespace sluice {

ApiResponse ApiResponse::FromProblem(const Problem& p) {
  ApiResponse r;
  r.status = p.status;
  r.content_type = "application/problem+json";
  r.body = p.ToJson();
  r.headers = p.headers;
  return r;
}

ApiResponse ApiResponse::Json(int status, std::string body) {
  ApiResponse r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

}  // namespace sluice
