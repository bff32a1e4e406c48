#include "api/delivery.h"

namespace sluice {

bool ShouldRecord(const ApiResponse& r) {
  if (r.status == 401 || r.status == 403 || r.status == 429) return true;
  return r.status < 300 && (!r.delivered_posts.empty() || !r.delivered_users.empty() || !r.delivered_traps.empty());
}

bool IsCountedRefusal(const App* app, const ApiResponse& response) { return !app && response.status >= 300; }

LedgerRecord DeliveryRecord(const Config& config, TimeMs now, const ApiRequest& req, std::string_view endpoint,
                            const App* app, const ApiResponse& response, Id authorizing_user_id) {
  LedgerRecord r;
  r.time = now;  // the time every other stage of the request decided by
  r.node_id = uint16_t(config.node_id);
  if (app) {
    r.app_id = app->id;
    r.project_id = app->project_id;
    for (const auto& use : app->uses) r.use += (r.use.empty() ? "" : ",") + use;
  }
  r.endpoint = endpoint;
  r.status = uint16_t(response.status);
  // A refusal delivers nothing, whatever the handler had gathered.
  if (response.status < 300) {
    r.post_ids = response.delivered_posts;
    r.post_ids.insert(r.post_ids.end(), response.delivered_traps.begin(), response.delivered_traps.end());
    r.user_ids = response.delivered_users;
  }
  r.request_id = req.request_id;
  r.response_bytes = response.body.size();
  if (app) r.authorizing_user_id = authorizing_user_id;
  return r;
}

}  // namespace sluice
