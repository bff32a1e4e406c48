#pragma once
//! OAuth 2.0 scopes as X names them (its OpenAPI document, securitySchemes.OAuth2UserToken),
//! and the scopes X requires of a user access token on each of the routes Sluice serves
//! (the OAuth2UserToken requirement of each operation's `security`). Checked against X's
//! document by tests/core/scopes_test.cc.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"
#include "core/routes.h"

namespace sluice {

struct ScopeInfo {
  std::string_view name;         // as in a `scope` parameter: "tweet.read"
  std::string_view description;  // X's words, for a consent page
};

//! Every scope X defines, in X's (alphabetical) order; a ScopeSet's bit i is kScopes[i].
inline constexpr std::array<ScopeInfo, 24> kScopes = {{
    {"block.read", "View accounts you have blocked."},
    {"block.write", "Block and unblock accounts on your behalf."},
    {"bookmark.read", "Read your bookmarked Posts."},
    {"bookmark.write", "Create and delete your bookmarks."},
    {"broadcast.read", "View your live broadcasts and their chat."},
    {"broadcast.write", "Manage your live broadcasts and send chat messages on your behalf."},
    {"dm.read", "Read all your Direct Messages."},
    {"dm.write", "Send and manage your Direct Messages."},
    {"follows.read", "View accounts you follow and accounts following you."},
    {"follows.write", "Follow and unfollow accounts on your behalf."},
    {"like.read", "View Posts you have liked and likes you can see."},
    {"like.write", "Like and unlike Posts on your behalf."},
    {"list.read", "View Lists, members, and followers of Lists you created or are a member of, including private Lists."},
    {"list.write", "Create and manage Lists on your behalf."},
    {"media.write", "Upload media, such as photos and videos, on your behalf."},
    {"mute.read", "View accounts you have muted."},
    {"mute.write", "Mute and unmute accounts on your behalf."},
    {"offline.access", "Request a refresh token for the app."},
    {"space.read", "View all Spaces you have access to."},
    {"timeline.read", "View all Custom Timelines you can see."},
    {"tweet.moderate.write", "Hide and unhide replies to your posts."},
    {"tweet.read", "View all posts you can see, including those from protected accounts."},
    {"tweet.write", "Create and repost on your behalf."},
    {"users.read", "View any account you can see, including protected accounts."},
}};

using ScopeSet = uint32_t;

//! The bit of the scope named `name`; nullopt for a name X does not define.
std::optional<ScopeSet> ScopeBit(std::string_view name);

//! A `scope` parameter (RFC 6749 3.3: names separated by spaces; X's authorize URL carries
//! them separated by "%20", decoded before this). An unknown name is an error naming it;
//! repeated names and extra spaces are accepted; empty is an error (X requires a scope).
Result<ScopeSet> ParseScopes(std::string_view scope);

//! The names of `scopes`, separated by single spaces, in kScopes order.
std::string ScopeString(ScopeSet scopes);

//! What X requires of an OAuth 2.0 user access token on `route`; nullopt where X accepts no
//! user token (app-only endpoints: usage, full-archive search and counts) or for a route X
//! does not have.
std::optional<ScopeSet> UserTokenScopes(RouteId route);

//! Whether X accepts an app-only bearer token on `route` (its operation lists BearerToken
//! security). False for the endpoints that act for an account (POST /2/tweets, likes, ...) and
//! for a few reads X serves only in user context (users/search, liking_users, liked_tweets,
//! users/me). True for Sluice's own routes. What Sluice does with it: api/authenticate.h.
bool XAcceptsAppToken(RouteId route);

}  // namespace sluice
