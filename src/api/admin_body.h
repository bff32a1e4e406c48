#pragma once
//! The JSON bodies of the admin API (docs/admin-api.md). Each parser takes the body as sent and
//! returns what it asks for, or a 400 InvalidRequest naming the member that is wrong: not a
//! JSON object, a member missing or of the wrong type, out of range, or a member it does not
//! know. Never throws, whatever the bytes.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace sluice {

//! POST /admin/v1/session: `{"admin_token":"..."}` or `{"console_key":"..."}` (exactly one).
struct SessionRequest {
  bool admin = false;  // admin_token; else console_key
  std::string secret;
};
Result<SessionRequest> ParseSessionBody(std::string_view body);

//! POST /admin/v1/projects: `{"name":"...","plan":"basic"}` (plan optional, "basic" by default).
struct ProjectRequest {
  std::string name;
  std::string plan = "basic";
};
Result<ProjectRequest> ParseProjectBody(std::string_view body);

//! POST /admin/v1/projects/:id/apps: `{"name":"...","uses":["search",...]}` (uses optional:
//! none given, the plan's default uses).
struct AppRequest {
  std::string name;
  std::vector<std::string> uses;
};
Result<AppRequest> ParseAppBody(std::string_view body);

//! POST /admin/v1/projects/:id/credits: `{"micro_usd":N}`, 0 < N <= kMaxCreditMicroUsd.
inline constexpr int64_t kMaxCreditMicroUsd = 1'000'000'000'000'000;  // a billion dollars at once
Result<int64_t> ParseCreditsBody(std::string_view body);

}  // namespace sluice
