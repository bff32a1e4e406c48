#pragma once
//! The HTML pages of signing in and consent (issue 15): plain forms that work without
//! JavaScript, readable on a phone (one column, large targets), every input labelled. What
//! they post and how it is checked: api/oauth_server.h.

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "access/oauth_tokens.h"
#include "core/scopes.h"

namespace sluice {

//! Text made safe inside HTML elements and double-quoted attributes.
std::string HtmlEscape(std::string_view text);

//! Hidden form fields (name, value): what a form carries back (the authorization request).
using HiddenFields = std::vector<std::pair<std::string, std::string>>;

struct SignInPage {
  std::string heading;  // "Sign in to authorize Scheduler"
  std::string action;   // the form's target path
  HiddenFields hidden;  // csrf_token included
  std::string error;    // shown above the form when not empty
  std::string username;  // refilled after a failed attempt
};
std::string RenderSignIn(const SignInPage& page);

struct ConsentPage {
  std::string app_name;
  std::string owner;          // the app's project, as the developer named it
  std::string username;       // the signed-in account
  std::string redirect_host;  // where the answer goes
  ScopeSet scopes = 0;
  HiddenFields hidden;  // csrf_token and the authorization request
};
//! Names the app, its owner and each scope in X's words, with two submit buttons named
//! `decision`: value "allow" and value "deny".
std::string RenderConsent(const ConsentPage& page);

struct AccountAppsPage {
  std::string username;
  std::vector<AuthorizedApp> apps;
  std::string csrf_token;
  std::string notice;  // "Scheduler can no longer use your account." after a revocation
};
//! The apps the account authorised, each with its scopes and a button that revokes it, and a
//! sign-out button.
std::string RenderAccountApps(const AccountAppsPage& page);

//! A page that says what went wrong, when there is nowhere safe to send the answer (an unknown
//! client, a redirect URI not registered, a form without its CSRF token).
std::string RenderErrorPage(std::string_view heading, std::string_view message);

}  // namespace sluice
