#pragma once
//! The plain types the API handlers take and return: no sockets, no Beast. http/ converts
//! to and from the wire; tests call handlers directly.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "api/stream_sink.h"
#include "core/clock.h"
#include "core/config.h"
#include "core/result.h"
#include "core/snowflake.h"
#include "core/types.h"
#include "store/store.h"

namespace sluice {

struct ApiRequest {
  std::string_view method;  // "GET", "POST", ...
  std::string_view path;    // "/2/tweets/123", still percent-encoded
  std::string_view query;   // after '?', still percent-encoded; empty when none
  std::string_view authorization;
  std::string_view content_type;
  std::string_view accept;
  std::string_view body;
  std::string_view request_id;
  //! When the request had arrived whole (the server read its header; max: not known). Whatever
  //! the client saw acknowledged before it sent the request happened before this.
  std::chrono::steady_clock::time_point received = std::chrono::steady_clock::time_point::max();
  std::string_view cookie;  // the Cookie header (the sign-in and consent pages' session), empty when none
  bool http10 = false;      // HTTP/1.0: no chunked body, so no stream
  //! A compliance job's resumable upload (Google Cloud Storage's protocol, api/compliance.h):
  //! the Content-Range header (nullopt: none) and the x-goog-resumable header (empty: none).
  std::optional<std::string_view> content_range;
  std::string_view goog_resumable;
  //! The admin API's portal session (api/admin.h): the Host and Origin headers (empty when
  //! absent) and the X-CSRF-Token header (empty when absent).
  std::string_view host;
  std::string_view origin;
  std::string_view csrf_token;
  //! It arrived on the admin listener ([admin] listen; http/router.h): only that listener
  //! serves the admin API and the portal once it is set.
  bool admin_listener = false;
};

struct ApiResponse {
  int status = 200;
  std::string content_type = "application/json; charset=utf-8";
  std::string body;
  // Names are string literals (static storage): Sluice sends only headers it names itself,
  // and a literal costs no allocation per response (most of them are past the 15 characters
  // a std::string holds without one).
  std::vector<std::pair<std::string_view, std::string>> headers;
  // For the ledger: the posts and users this response delivers (data, then includes), or the
  // post it created or deleted, in response order.
  std::vector<Id> delivered_posts;
  std::vector<Id> delivered_users;
  std::vector<Id> delivered_traps;  // trap records in the page: ledgered, never counted or billed
  // The post whose creation or deletion the handler noted (Store::NotePendingPost,
  // NoteDeletion) and the router applies once its record is durable (write_intents.h); 0: none.
  Id write_intent = 0;
  // The action (like, follow, hidden reply) the handler noted (Store::NoteAction), applied as
  // write_intent is; 0: none.
  Id action_intent = 0;
  // A streaming response (api/stream_sink.h): set, the server sends the headers and hands the
  // connection's sink to it; `body` is not sent.
  StreamOpen stream;

  static ApiResponse Json(int status, std::string body);
};

struct Services;
struct WorkerState;

//! A handler's view of its request: the services, its worker (its store connection), and the
//! request's time. Built by the handler stage (Exchange::Context).
struct ApiContext {
  const Services& services;
  WorkerState& worker;
  Store& store;
  const Config& config;
  SnowflakeGenerator& ids;
  //! The request's one clock reading (Exchange::now): every stage decides by it, so they agree
  //! on when the request happened.
  TimeMs now = 0;
  //! StoreWriteGeneration() as read before this request's first store read (what a response
  //! rendered now may be cached under); never later than the true value.
  uint64_t write_generation = 0;
  //! The account this request acts as: the user of an OAuth 2.0 user access token, else the
  //! app's own account (App::user_id; an app token writes as it where config allows).
  Id acting_user_id = 0;
  //! The account that authorised the request through a user access token; 0 for an app token.
  //! The ledger record names it (what an app did in an account's name).
  Id authorizing_user_id = 0;
  //! The route's second captured segment (still percent-encoded), for the routes with two
  //! (DELETE /2/users/:id/likes/:tweet_id); the first is the handler's `capture`.
  std::string_view capture2;
};

}  // namespace sluice
