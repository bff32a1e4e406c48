#pragma once
//! Times on the wire: ISO 8601 / RFC 3339 in UTC, as X writes them ("2023-05-01T12:00:00.000Z").

#include <optional>
#include <string>
#include <string_view>

#include "core/types.h"

namespace sluice {

//! "YYYY-MM-DDTHH:MM:SS.mmmZ".
std::string FormatTime(TimeMs t);
//! Appends FormatTime(t) to out.
void AppendTime(std::string& out, TimeMs t);
//! Accepts what X accepts: YYYY-MM-DDTHH:mm:ssZ, optional fraction (1-9 digits), and a
//! numeric offset (+HH:MM) in place of Z. nullopt for anything else, or an impossible date.
std::optional<TimeMs> ParseTime(std::string_view s);
//! "YYYY-MM-DD" of t (UTC).
std::string FormatDate(TimeMs t);

}  // namespace sluice
