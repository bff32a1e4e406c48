#pragma once
//! What both SQL stores (sqlite/, postgres/) share about their rows: the columns each query
//! selects, in order, the value read back from them, and the SQL fragments and helpers their
//! queries are built with. Their tables match column for column, so one reader serves both;
//! `R` is the backend's row (sqlite::Stmt, pg::Row) with Int(i), OptInt(i), Text(i), IsNull(i).

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/parse.h"
#include "core/snowflake.h"
#include "store/store.h"

namespace sluice::rows {

//! Over posts aliased p: what ReadPost reads.
inline constexpr std::string_view kPostColumns =
    "p.id, p.author_id, p.text, p.created_at, p.lang, p.conversation_id, p.in_reply_to_user_id, p.replied_to_id,"
    " p.quoted_id, p.retweeted_id, p.entities, p.retweet_count, p.reply_count, p.like_count, p.quote_count,"
    " p.bookmark_count, p.impression_count, p.edit_history, p.source, p.deleted_at,"
    " p.reply_settings, p.made_with_ai, p.paid_partnership, p.nullcast, p.poll_id,"
    " p.note_text, p.note_entities, p.withheld_in";
inline constexpr std::string_view kUserColumns =
    "id, username, name, description, location, url, created_at, verified_type, protected, labels,"
    " followers_count, following_count, tweet_count, listed_count, like_count, pinned_tweet_id, synthetic,"
    " suspended_at, deactivated_at, withheld_in, geo_scrubbed_up_to";
inline constexpr std::string_view kTrapColumns =
    "id, app_id, counter, author_id, text, lang, created_at, marker, retweet_count, reply_count, like_count, quote_count,"
    " bookmark_count, impression_count, entities";
inline constexpr std::string_view kAppColumns = "id, project_id, name, plan, uses, user_id, created_at";

//! Lists and counts leave out protected accounts' posts (store.h), over posts aliased p.
inline constexpr std::string_view kNotProtected = "p.author_id NOT IN (SELECT id FROM users WHERE protected <> 0)";
//! Lists, searches and counts serve the latest version of an edited post only (store.h).
inline constexpr std::string_view kLatestVersion = "p.latest_id IS NULL";

//! Lists the stores write joined by ','; "" is an empty list (never read as {""}).
inline std::vector<std::string> SplitCommas(std::string_view s) {
  std::vector<std::string> out;
  if (s.empty()) return out;
  for (std::string_view item : SplitCommaList(s)) out.emplace_back(item);
  return out;
}
inline std::string JoinCommas(const std::vector<std::string>& parts) {
  std::string out;
  for (const auto& p : parts) {
    if (!out.empty()) out.push_back(',');
    out += p;
  }
  return out;
}

//! ASCII letters lowercased (usernames, tags: how both stores fold them).
inline std::string AsciiLower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = char(c - 'A' + 'a');
  return out;
}

//! A new post's reply parent, read through `store`: fills conversation_id and
//! in_reply_to_user_id (400 when the parent is missing or deleted).
inline Status ResolveParent(Store& store, Post& post) {
  auto parent_id = post.Reference(ReferenceType::kRepliedTo);
  if (!parent_id) {
    post.conversation_id = post.id;
    return Status::Ok();
  }
  auto parent = store.GetPosts(std::span<const Id>(&*parent_id, 1));
  if (!parent.ok()) return parent.status();
  if (parent->empty() || parent->front().post.deleted_at)
    return InvalidRequest("reply.in_reply_to_tweet_id", std::to_string(*parent_id),
                          "The post you are replying to does not exist or was deleted.");
  post.conversation_id = parent->front().post.conversation_id;
  post.in_reply_to_user_id = parent->front().post.author_id;
  return Status::Ok();
}

//! Every time and id limit of a page as one [lo, hi) range on the snowflake (no cursor).
inline std::pair<Id, Id> PageIdRange(const PageRequest& page) {
  Id lo = 0, hi = INT64_MAX;
  if (page.since_id) lo = std::max(lo, *page.since_id + 1);
  if (page.until_id) hi = std::min(hi, *page.until_id);
  if (page.start_time) lo = std::max(lo, IdLowerBoundForTime(*page.start_time));
  if (page.end_time) hi = std::min(hi, IdLowerBoundForTime(*page.end_time));
  return {lo, hi};
}

//! A page's ids with its cursor too: an older page ends below the cursor; a newer one starts
//! above it and is read oldest first (`newer`: the rows, reversed, are still newest first,
//! the ones nearest the cursor).
struct PageWindow {
  Id lo, hi;  // [lo, hi)
  bool newer;
};
inline PageWindow PageWindowOf(const PageRequest& page) {
  auto [lo, hi] = PageIdRange(page);
  if (!page.cursor) return {lo, hi, false};
  if (page.cursor->first == PageRequest::Direction::kOlder) return {lo, std::min(hi, page.cursor->second), false};
  return {std::max(lo, page.cursor->second + 1), hi, true};
}

template <class R>
StoredPost ReadPost(const R& r) {
  StoredPost sp;
  Post& p = sp.post;
  p.id = r.Int(0);
  p.author_id = r.Int(1);
  p.text = r.Text(2);
  p.created_at = r.Int(3);
  p.lang = r.Text(4);
  p.conversation_id = r.Int(5);
  p.in_reply_to_user_id = r.OptInt(6);
  if (!r.IsNull(7)) p.referenced.push_back({ReferenceType::kRepliedTo, r.Int(7)});
  if (!r.IsNull(8)) p.referenced.push_back({ReferenceType::kQuoted, r.Int(8)});
  if (!r.IsNull(9)) p.referenced.push_back({ReferenceType::kRetweeted, r.Int(9)});
  sp.entities_json = r.Text(10);
  p.metrics = {r.Int(11), r.Int(12), r.Int(13), r.Int(14), r.Int(15), r.Int(16)};
  std::string_view history = r.Text(17);
  if (history.empty()) {
    p.edit_history = {p.id};
  } else {
    for (std::string_view part : SplitCommaList(history)) p.edit_history.push_back(ParseInt<Id>(part).value);
  }
  p.source = r.Text(18);
  p.deleted_at = r.OptInt(19);
  p.reply_settings = ParseReplySettings(r.Text(20)).value_or(ReplySettings::kEveryone);
  p.made_with_ai = r.Int(21) != 0;
  p.paid_partnership = r.Int(22) != 0;
  p.nullcast = r.Int(23) != 0;
  if (auto poll = r.OptInt(24)) p.poll = Poll{.id = *poll};
  p.note_text = r.Text(25);
  sp.note_entities_json = r.Text(26);
  p.withheld_in_countries = SplitCommas(r.Text(27));
  return sp;
}

template <class R>
User ReadUser(const R& r) {
  User u;
  u.id = r.Int(0);
  u.username = r.Text(1);
  u.name = r.Text(2);
  u.description = r.Text(3);
  u.location = r.Text(4);
  u.url = r.Text(5);
  u.created_at = r.Int(6);
  u.verified_type = ParseVerifiedType(r.Text(7)).value_or(VerifiedType::kNone);
  u.is_protected = r.Int(8) != 0;
  if (!r.Text(9).empty()) u.labels = SplitCommas(r.Text(9));
  u.metrics = {r.Int(10), r.Int(11), r.Int(12), r.Int(13), r.Int(14)};
  u.pinned_tweet_id = r.OptInt(15);
  u.synthetic = r.Int(16) != 0;
  u.suspended_at = r.OptInt(17);
  u.deactivated_at = r.OptInt(18);
  u.withheld_in_countries = SplitCommas(r.Text(19));
  u.geo_scrubbed_up_to = r.Int(20);
  return u;
}

template <class R>
StoredTrap ReadTrap(const R& r) {
  StoredTrap t{r.Int(0), r.Int(1), uint64_t(r.Int(2)), r.Int(3), std::string(r.Text(4)), std::string(r.Text(5)),
               r.Int(6), std::string(r.Text(7))};
  t.metrics = {r.Int(8), r.Int(9), r.Int(10), r.Int(11), r.Int(12), r.Int(13)};
  t.entities_json = std::string(r.Text(14));
  return t;
}

template <class R>
App ReadApp(const R& r) {
  App a;
  a.id = r.Int(0);
  a.project_id = r.Int(1);
  a.name = r.Text(2);
  a.plan = r.Text(3);
  if (!r.Text(4).empty()) a.uses = SplitCommas(r.Text(4));
  a.user_id = r.Int(5);
  a.created_at = r.Int(6);
  return a;
}

}  // namespace sluice::rows
