#include "access/apps.h"

#include <algorithm>

#include "access/tokens.h"

namespace sluice {

const std::vector<std::string>& KnownPlans() {
  static const std::vector<std::string> plans = {"free", "basic", "pro", "enterprise", "enterprise-100m",
                                                 "enterprise-200m", "enterprise-ai", "payg"};
  return plans;
}

const std::vector<std::string>& KnownUses() {
  static const std::vector<std::string> uses = {"search", "display", "analytics", "ai-input", "ai-train"};
  return uses;
}

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

}  // namespace

Result<CreatedApp> CreateApp(Store& store, SnowflakeGenerator& ids, const Clock& clock, const NewApp& request) {
  if (request.name.empty() || request.name.size() > 100) return CommandError("--name must be 1 to 100 characters");
  const auto& plans = KnownPlans();
  if (std::find(plans.begin(), plans.end(), request.plan) == plans.end())
    return CommandError("unknown plan '" + request.plan + "' (known: " + Join(plans) + ")");
  for (const auto& use : request.uses) {
    const auto& uses = KnownUses();
    if (std::find(uses.begin(), uses.end(), use) == uses.end())
      return CommandError("unknown use '" + use + "' (known: " + Join(uses) + ")");
  }
  TimeMs now = clock.NowMs();
  CreatedApp created;
  // The project, the app's account and the app are written together or not at all.
  Status written = store.Atomically([&]() -> Status {
    Id project_id;
    if (request.project_id) {
      auto exists = store.ProjectExists(*request.project_id);
      if (!exists.ok()) return exists.status();
      if (!*exists) return CommandError("project " + std::to_string(*request.project_id) + " does not exist");
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
    created.app = {ids.Next(), project_id, request.name, request.plan, request.uses, user.id, now};
    created.bearer_token = GenerateToken();
    return store.InsertApp(created.app, HashToken(created.bearer_token));
  });
  if (!written.ok()) return written;
  return created;
}

}  // namespace sluice
