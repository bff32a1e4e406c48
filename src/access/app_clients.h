#pragma once
//! An app's OAuth 2.0 client in the store (issue 15): its redirect URIs (`sluice apps create
//! --redirect-uri`, `sluice apps redirect-uris`), its client secret (`sluice keys rotate
//! --client-secret`), and the client authentication a token endpoint does (RFC 6749 2.3.1).

#include <string>
#include <vector>

#include "access/oauth_clients.h"
#include "access/revocations.h"
#include "core/result.h"
#include "store/store.h"

namespace sluice {

//! Ok if `uris` may all be registered together for one app: each valid (ValidateRedirectUri),
//! none twice, at most kMaxRedirectUrisPerApp. Errors are CommandErrors naming the URI.
Status CheckRedirectUris(const std::vector<std::string>& uris);

//! Removes `remove`, then adds `add` to the live app's redirect URIs, all or nothing, and
//! returns the list after. Errors (CommandError, nothing written): "app N does not exist" or
//! "is revoked"; an invalid URI; a URI added that is already registered (or given twice); a
//! URI removed that is not registered; more than kMaxRedirectUrisPerApp after the change.
Result<std::vector<std::string>> ChangeRedirectUris(Store& store, Id app_id, const std::vector<std::string>& add,
                                                    const std::vector<std::string>& remove);

struct ClientSecret {
  std::string client_id;
  std::string client_secret;  // shown once; only its hash is stored
};

//! Gives the live app a new client secret (and a client id if it has none: an app made before
//! clients existed) and returns both. The old secret is refused from the return on (the
//! generation is bumped after the commit, as for bearer tokens: keys.h). Errors as RotateKey;
//! "app N is a public client: it has no secret".
Result<ClientSecret> RotateClientSecret(Store& store, RevocationGeneration& generation, Id app_id);

//! The live app an `Authorization: Basic` header's client credentials name: kUnauthorized if
//! the header is malformed (ParseBasicClientCredentials), no live app has the client id, the
//! app has no secret (a public client has none), or the secret does not match (compared in
//! constant time).
Result<App> AuthenticateClient(Store& store, std::string_view authorization);

//! The live public client (`sluice apps create --public-client`: a native app or single-page
//! app, RFC 6749 2.1) that a token request without Authorization names by its `client_id`
//! form field. kUnauthorized if no live app has that client id or it is a confidential client
//! (which must authenticate with its secret: AuthenticateClient).
Result<App> FindPublicClient(Store& store, std::string_view client_id);

}  // namespace sluice
