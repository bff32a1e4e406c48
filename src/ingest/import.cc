#include "ingest/import.h"

#include <algorithm>
#include <boost/json.hpp>
#include <limits>
#include <unordered_map>
#include <unordered_set>

#include "core/long_post.h"
#include "core/snowflake.h"
#include "core/text.h"
#include "ingest/import_fields.h"

namespace sluice {

namespace {

namespace json = boost::json;
using import_internal::Fields;

enum class Source { kPrimary, kIncluded };

class Importer {
 public:
  explicit Importer(const std::string& file) : file_(file) {}

  Status Line(std::string_view text, int64_t number) {
    line_ = number;
    json::parse_options options;
    options.allow_invalid_utf8 = true;  // checked per field, to say which one is wrong
    options.max_depth = 64;
    boost::system::error_code ec;
    json::value v = json::parse(text, ec, json::storage_ptr(), options);
    if (ec) return Fail("bad JSON: " + ec.message());
    if (!v.is_object()) return Fail("not a JSON object");
    const json::object& o = v.get_object();
    if (o.contains("data") || o.contains("includes") || o.contains("meta") || o.contains("errors"))
      return Envelope(o);
    return Object(o, Source::kPrimary, "");
  }

  WriteBatch Finish() {
    ResolveConversations();
    return std::move(batch_);
  }

 private:
  Status Fail(std::string_view why) const {
    return CommandError(file_ + ":" + std::to_string(line_) + ": " + std::string(why));
  }

  Status Envelope(const json::object& o) {
    if (const json::value* data = o.if_contains("data"); data && !data->is_null()) {
      if (data->is_object()) {
        if (Status s = Object(data->get_object(), Source::kPrimary, "data: "); !s.ok()) return s;
      } else if (data->is_array()) {
        const json::array& items = data->get_array();
        for (size_t i = 0; i < items.size(); ++i) {
          std::string where = "data[" + std::to_string(i) + "]: ";
          if (!items[i].is_object()) return Fail(where + "not a JSON object");
          if (Status s = Object(items[i].get_object(), Source::kPrimary, where); !s.ok()) return s;
        }
      } else {
        return Fail("\"data\" is neither an object nor an array");
      }
    }
    const json::value* includes = o.if_contains("includes");
    if (!includes || includes->is_null()) return Status::Ok();
    if (!includes->is_object()) return Fail("\"includes\" is not an object");
    for (std::string_view kind : {"users", "tweets"}) {
      const json::value* list = includes->get_object().if_contains(kind);
      if (!list || list->is_null()) continue;
      if (!list->is_array()) return Fail("includes." + std::string(kind) + " is not an array");
      const json::array& items = list->get_array();
      for (size_t i = 0; i < items.size(); ++i) {
        std::string where = "includes." + std::string(kind) + "[" + std::to_string(i) + "]: ";
        if (!items[i].is_object()) return Fail(where + "not a JSON object");
        const json::object& item = items[i].get_object();
        Status s = kind == "users" ? UserObject(item, Source::kIncluded, where)
                                   : PostObject(item, Source::kIncluded, where);
        if (!s.ok()) return s;
      }
    }
    return Status::Ok();
  }

  Status Object(const json::object& o, Source source, const std::string& where) {
    for (std::string_view kind : {"like", "following", "follower"})
      if (const json::value* edge = o.if_contains(kind)) return EdgeObject(kind, *edge, where);
    if (o.contains("username")) return UserObject(o, source, where);
    if (o.contains("text")) return PostObject(o, source, where);
    if (o.contains("id")) return Fail(where + "missing \"text\" (a post) or \"username\" (a user)");
    return Fail(where + "not a post, a user or an X response");
  }

  Status PostObject(const json::object& o, Source source, const std::string& where) {
    Fields f(o);
    Post p;
    p.lang = "und";
    std::optional<Id> id = f.RequiredId("id");
    f.RequiredString("text", p.text);
    std::optional<Id> author = f.RequiredId("author_id");
    std::optional<TimeMs> created = f.OptionalTime("created_at");
    std::optional<Id> conversation = f.OptionalId("conversation_id");
    p.in_reply_to_user_id = f.OptionalId("in_reply_to_user_id");
    f.OptionalString("lang", p.lang);
    f.References("referenced_tweets", p.referenced);
    f.PostMetrics("public_metrics", p.metrics);
    f.IdList("edit_history_tweet_ids", p.edit_history);
    if (p.edit_history.empty()) f.IdList("edit_history_post_ids", p.edit_history);
    std::string note_text;
    f.NoteText(note_text);
    if (!f.ok()) return Fail(where + f.error());
    p.id = *id;
    p.author_id = *author;
    p.created_at = created.value_or(SnowflakeTime(p.id));
    p.conversation_id = conversation.value_or(0);  // 0: resolved in Finish()
    if (p.lang.empty()) p.lang = "und";
    if (p.edit_history.empty()) p.edit_history = {p.id};
    if (std::find(p.edit_history.begin(), p.edit_history.end(), p.id) == p.edit_history.end())
      return Fail(where + "\"edit_history_tweet_ids\" does not hold the post's own id " + std::to_string(p.id));
    if (!note_text.empty() && note_text != p.text) {
      // X's own long post: its `text` (X's cut) and the whole text are kept as given.
      p.note_text = std::move(note_text);
      p.note_entities = ExtractEntities(p.note_text);
      p.entities = ExtractEntities(p.text);
    } else {
      // A whole text over 280 weighted characters is served as X serves one.
      p.entities = ExtractEntities(p.text);
      MakeLongPost(p);
    }

    auto [it, fresh] = posts_.try_emplace(p.id, Seen{batch_.posts.size(), line_, source});
    if (!fresh) {
      Seen& seen = it->second;
      if (source == Source::kIncluded) return Status::Ok();
      if (seen.source == Source::kPrimary)
        return Fail(where + "duplicate post id " + std::to_string(p.id) + " (first on line " +
                    std::to_string(seen.line) + ")");
      seen = Seen{seen.index, line_, source};
      batch_.posts[seen.index] = std::move(p);
      return Status::Ok();
    }
    batch_.posts.push_back(std::move(p));
    return Status::Ok();
  }

  // An entry of X's account archive (like.js, following.js, follower.js) with the archive's
  // owner named: {"like": {"user_id", "tweetId"}}, {"following": {"user_id", "accountId"}}
  // (user_id follows accountId), {"follower": {"user_id", "accountId"}} (accountId follows
  // user_id). Other members (fullText, expandedUrl, userLink) are ignored.
  Status EdgeObject(std::string_view kind, const json::value& v, const std::string& where) {
    const std::string what = where + "\"" + std::string(kind) + "\": ";
    if (!v.is_object()) return Fail(what + "not a JSON object");
    Fields f(v.get_object());
    std::optional<Id> owner = f.RequiredId("user_id");
    std::optional<Id> other = f.RequiredId(kind == "like" ? "tweetId" : "accountId");
    if (!f.ok()) return Fail(what + f.error());
    if (kind == "like") batch_.likes.push_back({*owner, *other});
    else if (kind == "following") batch_.follows.push_back({*owner, *other});
    else batch_.follows.push_back({*other, *owner});
    return Status::Ok();
  }

  Status UserObject(const json::object& o, Source source, const std::string& where) {
    Fields f(o);
    User u;
    std::optional<Id> id = f.RequiredId("id");
    f.RequiredString("username", u.username);
    std::optional<TimeMs> created = f.OptionalTime("created_at");
    u.pinned_tweet_id = f.OptionalId("pinned_tweet_id");
    f.OptionalString("name", u.name);
    f.OptionalString("description", u.description);
    f.OptionalString("location", u.location);
    f.OptionalString("url", u.url);
    f.Verified(u.verified_type);
    f.OptionalBool("protected", u.is_protected);
    f.UserMetrics("public_metrics", u.metrics);
    f.StringList("labels", u.labels);
    std::string password_hash;  // Sluice's own member: an account's password, hashed (docs/accounts.md)
    f.OptionalString("password_argon2id", password_hash);
    if (!f.ok()) return Fail(where + f.error());
    if (!password_hash.empty() && (source != Source::kPrimary || password_hash.rfind("$argon2id$", 0) != 0 ||
                                   password_hash.size() > 512))
      return Fail(where + "password_argon2id must be an Argon2id string (\"$argon2id$...\", as `sluice users "
                          "set-password` stores) on an account's own line");
    if (!import_internal::IsValidUsername(u.username))
      return Fail(where + "username \"" + u.username + "\" is not 1-15 letters, digits or _");
    u.id = *id;
    u.created_at = created.value_or(SnowflakeTime(u.id));
    if (u.name.empty()) u.name = u.username;

    std::string key = import_internal::Lowercase(u.username);
    auto [it, fresh] = users_.try_emplace(u.id, Seen{batch_.users.size(), line_, source});
    if (!fresh && source == Source::kIncluded) return Status::Ok();
    if (!fresh && it->second.source == Source::kPrimary)
      return Fail(where + "duplicate user id " + std::to_string(u.id) + " (first on line " +
                  std::to_string(it->second.line) + ")");
    if (auto taken = usernames_.find(key); taken != usernames_.end() && taken->second.first != u.id)
      return Fail(where + "username \"" + u.username + "\" is already used by user " +
                  std::to_string(taken->second.first) + " (line " + std::to_string(taken->second.second) + ")");
    if (!password_hash.empty()) batch_.passwords.push_back({u.id, PasswordRecord{std::move(password_hash), 0}});
    if (fresh) {
      usernames_[key] = {u.id, line_};
      batch_.users.push_back(std::move(u));
      return Status::Ok();
    }
    Seen& seen = it->second;  // a primary object replaces an included copy
    usernames_.erase(import_internal::Lowercase(batch_.users[seen.index].username));
    usernames_[key] = {u.id, line_};
    seen = Seen{seen.index, line_, source};
    batch_.users[seen.index] = std::move(u);
    return Status::Ok();
  }

  // Posts without conversation_id join their parent's conversation when the parent is in
  // the file (following replied_to up the chain), else start their own.
  void ResolveConversations() {
    std::vector<Post>& posts = batch_.posts;
    std::vector<char> known(posts.size());
    for (size_t i = 0; i < posts.size(); ++i) known[i] = posts[i].conversation_id != 0;
    std::vector<size_t> path;
    std::unordered_set<size_t> on_path;
    for (size_t i = 0; i < posts.size(); ++i) {
      if (known[i]) continue;
      path.assign(1, i);
      on_path = {i};
      Id conversation = 0;
      for (size_t cur = i;;) {
        auto parent_id = posts[cur].Reference(ReferenceType::kRepliedTo);
        auto parent = parent_id ? posts_.find(*parent_id) : posts_.end();
        if (parent == posts_.end() || on_path.count(parent->second.index)) {
          conversation = posts[cur].id;
          break;
        }
        size_t p = parent->second.index;
        if (known[p]) {
          conversation = posts[p].conversation_id;
          break;
        }
        path.push_back(p);
        on_path.insert(p);
        cur = p;
      }
      for (size_t k : path) {
        posts[k].conversation_id = conversation;
        known[k] = 1;
      }
    }
  }

  struct Seen {
    size_t index;  // in batch_.users or batch_.posts
    int64_t line;
    Source source;
  };

  const std::string& file_;
  int64_t line_ = 0;
  WriteBatch batch_;
  std::unordered_map<Id, Seen> posts_;
  std::unordered_map<Id, Seen> users_;
  std::unordered_map<std::string, std::pair<Id, int64_t>> usernames_;  // lowercased -> (id, line)
};

}  // namespace

Result<WriteBatch> ImportJsonl(std::istream& in, const std::string& file_name) {
  try {
    Importer importer(file_name);
    std::string line;
    for (int64_t number = 1; std::getline(in, line); ++number) {
      std::string_view text(line);
      if (number == 1 && text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
      if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
      if (text.find_first_not_of(" \t\r\n") == std::string_view::npos) continue;
      if (Status s = importer.Line(text, number); !s.ok()) return s;
    }
    if (in.bad()) return CommandError(file_name + ": read error");
    return importer.Finish();
  } catch (const std::exception& e) {  // allocation failure inside Boost.JSON or the standard library
    return CommandError(file_name + ": " + e.what());
  }
}

}  // namespace sluice
