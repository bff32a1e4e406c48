#pragma once
//! Why a stage answered in place of the handler: the refusal counters are by this, never by
//! an HTTP status.

#include <cstdint>
#include <string_view>

namespace sluice {

enum class Refusal : uint8_t { kNone, kToken, kPlan, kLicence, kRate, kCap, kCredits, kBackend, kScope, kCount };

//! The metrics label: "token", "plan", "licence", "rate", "cap", "credits", "backend" (the
//! shared limits backend could not decide: 503), "scope" (the kind of token or its scopes do
//! not allow the route: 403) ("none").
std::string_view RefusalName(Refusal r);

}  // namespace sluice
