#pragma once
//! What the record stage (stages.h) records: responses are recorded, and the record
//! for one. Responses that deliver posts or users, create or delete a post, act for an
//! account (a like, repost, follow or hidden reply: the post and the accounts it names), or
//! refuse a client (401, 403, 429) are recorded; other errors (400, 404, ...) deliver nothing and
//! are not.

#include <string_view>

#include "api/context.h"
#include "ledger/record.h"

namespace sluice {

bool ShouldRecord(const ApiResponse& response);

//! A refusal (status >= 300) of a request without a known app (`app` null): the ledger
//! counts these per second, endpoint and status (Ledger::Count) instead of one record each.
bool IsCountedRefusal(const App* app, const ApiResponse& response);

//! `app` is null when the request was not authenticated. `endpoint` is "METHOD /route/:pattern".
//! `now` is the request's time. `authorizing_user_id`: the account whose user access token
//! the request came with (ApiContext::authorizing_user_id), 0 for an app token; the record
//! names it (format version 3) so that an account can be shown what an app did in its name.
LedgerRecord DeliveryRecord(const Config& config, TimeMs now, const ApiRequest& req, std::string_view endpoint,
                            const App* app, const ApiResponse& response, Id authorizing_user_id = 0);

}  // namespace sluice
