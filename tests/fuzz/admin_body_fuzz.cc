// Fuzzes what the admin API reads from a request (docs/admin-api.md): its JSON bodies and the
// portal session cookie. Whatever the bytes: a value within the documented bounds or a 400
// problem naming a parameter; a cookie that decodes only if it was signed with the key (the
// fuzzer cannot make a MAC), never a crash.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "access/portal_sessions.h"
#include "api/admin_body.h"

namespace {

template <typename R>
void Check(const R& r) {
  if (!r.ok() && (r.status().code() != sluice::StatusCode::kInvalidRequest || r.status().parameter_errors().empty()))
    std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace sluice;
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  auto session = ParseSessionBody(bytes);
  Check(session);
  if (session.ok() && (session->secret.empty() || session->secret.size() > 256)) std::abort();
  auto project = ParseProjectBody(bytes);
  Check(project);
  if (project.ok() && (project->name.empty() || project->plan.empty())) std::abort();
  auto app = ParseAppBody(bytes);
  Check(app);
  if (app.ok() && (app->name.empty() || app->uses.size() > 16)) std::abort();
  auto credits = ParseCreditsBody(bytes);
  Check(credits);
  if (credits.ok() && (*credits <= 0 || *credits > kMaxCreditMicroUsd)) std::abort();
  static const SessionKey key(std::array<uint8_t, 32>{7});
  if (DecodePortalSession(key, bytes, 0)) std::abort();  // no MAC of the key: never a session
  // A session made with the key round-trips whatever its subject's bytes.
  PortalSession s{std::nullopt, "", 1'000'000, ""};
  auto back = DecodePortalSession(key, EncodePortalSession(key, s), 0);
  if (!back || back->project_id || back->expires_at != s.expires_at) std::abort();
  return 0;
}
