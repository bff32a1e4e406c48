#include "access/apps.h"

#include <algorithm>

#include "access/app_clients.h"
#include "access/tokens.h"

namespace sluice {

namespace {

std::string Join(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : ", ") + s;
  return out;
}

// A username from the app's name: [A-Za-z0-9_], at most 15 characters.
std::string UsernameBase(std::string_view name) {
  std::string out;
  for (unsigned char c : name) {
    if (std::isalnum(c) || c == '_') out.push_back(char(c));
    else if (c == ' ' || c == '-' || c == '.') out.push_back('_');
    if (out.size() == 11) break;
  }
  return out.empty() ? std::string("app") : out;
}

// The uses the app declares, or the plan's defaults when it declares none.
Result<std::vector<std::string>> ResolveUses(const Plan& plan, const std::vector<std::string>& declared) {
  if (declared.empty()) {
    auto defaults = plan.DefaultUses();
    if (defaults.empty())
      return CommandError("plan '" + plan.name + "' permits only " + Join(plan.uses) + ": declare them with --use");
    return defaults;
  }
  const auto& known = KnownUses();
  for (const auto& use : declared) {
    if (std::find(known.begin(), known.end(), use) == known.end())
      return CommandError("unknown use '" + use + "' (known: " + Join(known) + ")");
    if (!plan.Permits(use))
      return CommandError("plan '" + plan.name + "' does not permit use '" + use + "' (it permits: " + Join(plan.uses) + ")");
  }
  return declared;
}

// An existing project takes another app only on its own plan and below the plan's app count.
Status CheckProject(Store& store, Id project_id, const Plan& plan) {
  std::string project = "project " + std::to_string(project_id);
  auto exists = store.ProjectExists(project_id);
  if (!exists.ok()) return exists.status();
  if (!*exists) return CommandError(project + " does not exist");
  auto current = store.ProjectPlan(project_id);
  if (!current.ok()) return current.status();
  if (*current && **current != plan.name) return CommandError(project + " is on plan '" + **current + "'");
  auto count = store.CountApps(project_id);
  if (!count.ok()) return count.status();
  if (*count >= plan.max_apps)
    return CommandError(project + " already has " + std::to_string(*count) + (*count == 1 ? " app" : " apps") +
                        ", the most plan '" + plan.name + "' allows");
  return Status::Ok();
}

}  // namespace

Result<CreatedApp> CreateApp(Store& store, SnowflakeGenerator& ids, const Clock& clock, const Plans& plans,
                             const NewApp& request) {
  if (request.name.empty() || request.name.size() > 100) return CommandError("--name must be 1 to 100 characters");
  const Plan* plan = plans.Find(request.plan);
  if (!plan) {
    std::vector<std::string> names;
    for (const auto& p : plans.all()) names.push_back(p.name);
    return CommandError("unknown plan '" + request.plan + "' (known: " + Join(names) + ")");
  }
  auto uses = ResolveUses(*plan, request.uses);
  if (!uses.ok()) return uses.status();
  if (Status s = CheckRedirectUris(request.redirect_uris); !s.ok()) return s;
  TimeMs now = clock.NowMs();
  CreatedApp created;
  // The project, the app's account and the app are written together or not at all.
  Status written = store.Atomically([&]() -> Status {
    Id project_id;
    if (request.project_id) {
      if (Status s = CheckProject(store, *request.project_id, *plan); !s.ok()) return s;
      project_id = *request.project_id;
    } else {
      auto made = store.CreateProject(request.name, now);
      if (!made.ok()) return made.status();
      project_id = *made;
    }
    // The account the app posts as: the first free username from the app's name.
    User user;
    user.id = ids.Next();
    user.name = request.name;
    user.created_at = now;
    std::string base = UsernameBase(request.name);
    for (int n = 0;; ++n) {
      user.username = n == 0 ? base : base + std::to_string(n);
      std::vector<std::string> probe = {user.username};
      auto found = store.GetUsersByUsername(probe);
      if (!found.ok()) return found.status();
      if (found->empty()) break;
    }
    WriteBatch batch;
    batch.users.push_back(user);
    if (Status s = store.Apply(batch); !s.ok()) return s;
    created.app = {ids.Next(), project_id, request.name, request.plan, *uses, user.id, now};
    created.bearer_token = GenerateToken();
    if (Status s = store.InsertApp(created.app, HashToken(created.bearer_token)); !s.ok()) return s;
    created.public_client = request.public_client;
    if (!request.public_client) created.client_secret = GenerateClientSecret();
    auto client_id = request.public_client
                         ? store.SetAppPublicClient(created.app.id, GenerateClientId())
                         : store.SetAppClientSecret(created.app.id, GenerateClientId(), HashToken(created.client_secret));
    if (!client_id.ok()) return client_id.status();
    if (!*client_id) return InternalError("app " + std::to_string(created.app.id) + " vanished as it was created");
    created.client_id = **client_id;
    for (const auto& uri : request.redirect_uris) {
      auto added = store.AddRedirectUri(created.app.id, uri);
      if (!added.ok()) return added.status();
    }
    created.redirect_uris = request.redirect_uris;
    return Status::Ok();
  });
  if (!written.ok()) return written;
  return created;
}

}  // namespace sluice
