#include "access/app_clients.h"

#include <algorithm>

#include "access/keys.h"
#include "access/tokens.h"

namespace sluice {

namespace {

std::string Quoted(std::string_view uri) { return "redirect URI '" + std::string(uri) + "'"; }

bool Contains(const std::vector<std::string>& v, std::string_view s) { return std::find(v.begin(), v.end(), s) != v.end(); }

Status TooMany(size_t n) {
  return CommandError(std::to_string(n) + " redirect URIs; an app may have at most " +
                      std::to_string(kMaxRedirectUrisPerApp));
}

}  // namespace

Status CheckRedirectUris(const std::vector<std::string>& uris) {
  for (size_t i = 0; i < uris.size(); ++i) {
    if (Status s = ValidateRedirectUri(uris[i]); !s.ok()) return s;
    if (std::find(uris.begin(), uris.begin() + long(i), uris[i]) != uris.begin() + long(i))
      return CommandError(Quoted(uris[i]) + " is given twice");
  }
  if (uris.size() > kMaxRedirectUrisPerApp) return TooMany(uris.size());
  return Status::Ok();
}

Result<std::vector<std::string>> ChangeRedirectUris(Store& store, Id app_id, const std::vector<std::string>& add,
                                                    const std::vector<std::string>& remove) {
  for (const auto& uri : add)
    if (Status s = ValidateRedirectUri(uri); !s.ok()) return s;
  std::vector<std::string> after;
  Status written = store.Atomically([&]() -> Status {
    auto app = store.GetProjectApp(app_id);
    if (!app.ok()) return app.status();
    if (!*app)
      return CommandError("app " + std::to_string(app_id) + " does not exist");
    for (const auto& uri : remove) {
      auto removed = store.RemoveRedirectUri(app_id, uri);
      if (!removed.ok()) return removed.status();
      if (!*removed) return CommandError(Quoted(uri) + " is not registered for app " + std::to_string(app_id));
    }
    for (const auto& uri : add) {
      auto added = store.AddRedirectUri(app_id, uri);
      if (!added.ok()) return added.status();
      if (!*added) return CommandError(Quoted(uri) + " is already registered for app " + std::to_string(app_id));
    }
    auto now = store.RedirectUris(app_id);
    if (!now.ok()) return now.status();
    if (now->size() > kMaxRedirectUrisPerApp) return TooMany(now->size());
    after = std::move(*now);
    return Status::Ok();
  });
  if (!written.ok()) return written;
  return after;
}

Result<ClientSecret> RotateClientSecret(Store& store, RevocationGeneration& generation, Id app_id) {
  ClientSecret out{GenerateClientId(), GenerateClientSecret()};
  auto id = store.SetAppClientSecret(app_id, out.client_id, HashToken(out.client_secret));
  if (!id.ok()) return id.status();
  if (!*id) {
    // Refused: no live app, or a live public client. Making the app a public client again
    // changes nothing for one that is, and is refused (nothing written) for one not live.
    auto public_client = store.SetAppPublicClient(app_id, out.client_id);
    if (!public_client.ok()) return public_client.status();
    if (*public_client) return CommandError("app " + std::to_string(app_id) + " is a public client: it has no secret");
    return NoLiveApp(store, app_id);
  }
  out.client_id = **id;  // the app's own when it had one
  generation.Bump();     // after the commit, as RotateKey: a cache of clients would see it
  return out;
}

Result<App> FindPublicClient(Store& store, std::string_view client_id) {
  if (client_id.empty()) return Unauthorized();
  auto client = store.FindAppByClientId(client_id);
  if (!client.ok()) return client.status();
  if (!client->has_value() || !(*client)->public_client) return Unauthorized();
  return std::move((*client)->app);
}

Result<App> AuthenticateClient(Store& store, std::string_view authorization) {
  auto credentials = ParseBasicClientCredentials(authorization);
  if (!credentials) return Unauthorized();
  auto client = store.FindAppByClientId(credentials->client_id);
  if (!client.ok()) return client.status();
  if (!client->has_value() || !ClientSecretMatches(credentials->client_secret, (*client)->secret_hash))
    return Unauthorized();
  return std::move((*client)->app);
}

}  // namespace sluice
