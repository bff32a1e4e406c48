#pragma once
//! The JSON bodies of the actions on behalf of an account, as X's OpenAPI document has them
//! (LikePostRequest, RepostPostRequest, FollowUserRequest: one id member; HidePostsReplyRequest:
//! `hidden`), each with additionalProperties false.

#include <string_view>

#include "core/result.h"
#include "core/types.h"

namespace sluice {

//! Whether a Content-Type is `type` (given in lower case): parameters such as charset after
//! ';' ignored, the type compared in any case.
bool IsMediaType(std::string_view content_type, std::string_view type);

//! A Content-Type of application/json (IsMediaType), else 415 UnsupportedMediaType: every JSON
//! body Sluice takes (POST /2/tweets too).
Status RequireJsonContentType(std::string_view content_type);

//! A body `{"<member>": "<id>"}`: the id. Anything else is a 400 InvalidRequest naming what
//! is wrong: not a JSON object ("body"), the member missing, not a string of 1-19 digits, or
//! another member present. Never throws.
Result<Id> ParseIdBody(std::string_view body, std::string_view member);

//! A body `{"hidden": true|false}`: the value; otherwise a 400 as ParseIdBody's.
Result<bool> ParseHiddenBody(std::string_view body);

}  // namespace sluice
