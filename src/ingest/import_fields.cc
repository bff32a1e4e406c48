#include "ingest/import_fields.h"

#include <boost/json/value.hpp>
#include <cstdint>
#include <limits>

#include "core/parse.h"
#include "core/text.h"
#include "core/time_format.h"

namespace sluice::import_internal {

namespace json = boost::json;

namespace {

std::string Quote(std::string_view key) {
  std::string q(1, '"');
  q.append(key).push_back('"');
  return q;
}

}  // namespace

const json::value* Fields::Get(std::string_view key) const {
  const json::value* v = o_.if_contains(key);
  return v && !v->is_null() ? v : nullptr;
}

bool Fields::Fail(std::string why) {
  if (error_.empty()) error_ = std::move(why);
  return false;
}

std::optional<Id> Fields::IdValue(const json::value& v, std::string_view name) {
  const json::string* s = v.if_string();
  // 1 to 19 digits, no sign, within Id.
  const auto parsed = s && s->size() <= 19 && !s->starts_with('-') ? ParseInt<Id>(std::string_view(*s), 0)
                                                                    : ParsedInt<Id>{0, IntError::kNotAnInteger};
  const Id id = parsed.value;
  if (!parsed.ok()) {
    Fail(Quote(name) + " is not a 1-19 digit string");
    return std::nullopt;
  }
  if (id == 0) {
    Fail(Quote(name) + " must not be 0");
    return std::nullopt;
  }
  return Id(id);
}

std::optional<Id> Fields::RequiredId(std::string_view key) {
  if (!ok()) return std::nullopt;
  const json::value* v = Get(key);
  if (!v) {
    Fail("missing " + Quote(key));
    return std::nullopt;
  }
  return IdValue(*v, key);
}

std::optional<Id> Fields::OptionalId(std::string_view key) {
  if (!ok()) return std::nullopt;
  const json::value* v = Get(key);
  return v ? IdValue(*v, key) : std::nullopt;
}

bool Fields::RequiredString(std::string_view key, std::string& out) {
  if (!ok()) return false;
  if (!Get(key)) return Fail("missing " + Quote(key));
  return OptionalString(key, out);
}

bool Fields::NoteText(std::string& out) {
  if (!ok()) return false;
  for (std::string_view key : {"note_tweet", "note_post"}) {
    const json::value* v = Get(key);
    if (!v) continue;
    if (!v->is_object()) return Fail(Quote(key) + " is not an object");
    Fields note(v->get_object());
    if (!note.RequiredString("text", out)) return Fail(Quote(key) + ": " + note.error());
    return true;
  }
  return true;
}

bool Fields::OptionalString(std::string_view key, std::string& out) {
  if (!ok()) return false;
  const json::value* v = Get(key);
  if (!v) return true;
  if (!v->is_string()) return Fail(Quote(key) + " is not a string");
  std::string_view s = v->get_string();
  if (!IsValidUtf8(s)) return Fail(Quote(key) + " is not valid UTF-8");
  out.assign(s);
  return true;
}

std::optional<TimeMs> Fields::OptionalTime(std::string_view key) {
  std::string text;
  if (!OptionalString(key, text) || !Get(key)) return std::nullopt;
  std::optional<TimeMs> t = ParseTime(text);
  if (!t) Fail(Quote(key) + " is not a valid time (\"" + text.substr(0, 40) + "\")");
  return t;
}

bool Fields::OptionalBool(std::string_view key, bool& out) {
  if (!ok()) return false;
  const json::value* v = Get(key);
  if (!v) return true;
  if (!v->is_bool()) return Fail(Quote(key) + " is not true or false");
  out = v->get_bool();
  return true;
}

bool Fields::References(std::string_view key, std::vector<ReferencedPost>& out) {
  if (!ok()) return false;
  const json::value* v = Get(key);
  if (!v) return true;
  if (!v->is_array()) return Fail(Quote(key) + " is not an array");
  const json::array& items = v->get_array();
  for (size_t i = 0; i < items.size(); ++i) {
    std::string name = std::string(key) + "[" + std::to_string(i) + "]";
    if (!items[i].is_object()) return Fail(Quote(name) + " is not an object");
    Fields item(items[i].get_object());
    std::string type;
    std::optional<Id> id = item.RequiredId("id");
    item.RequiredString("type", type);
    if (!item.ok()) return Fail(name + ": " + item.error());
    ReferencedPost ref{ReferenceType::kRepliedTo, *id};
    if (type == "quoted") ref.type = ReferenceType::kQuoted;
    else if (type == "retweeted") ref.type = ReferenceType::kRetweeted;
    else if (type != "replied_to") return Fail(Quote(name + ".type") + " is not replied_to, quoted or retweeted");
    out.push_back(ref);
  }
  return true;
}

bool Fields::Count(const json::object& o, std::string_view parent, std::string_view key, int64_t& out) {
  const json::value* v = o.if_contains(key);
  if (!v || v->is_null()) return true;
  if (v->is_int64() && v->get_int64() >= 0) out = v->get_int64();
  else if (v->is_uint64() && v->get_uint64() <= uint64_t(std::numeric_limits<int64_t>::max())) out = int64_t(v->get_uint64());
  else return Fail(Quote(std::string(parent) + "." + std::string(key)) + " is not a non-negative integer");
  return true;
}

bool Fields::PostMetrics(std::string_view key, sluice::PostMetrics& out) {
  if (!ok()) return false;
  const json::value* v = Get(key);
  if (!v) return true;
  if (!v->is_object()) return Fail(Quote(key) + " is not an object");
  const json::object& m = v->get_object();
  return Count(m, key, "retweet_count", out.retweet_count) && Count(m, key, "reply_count", out.reply_count) &&
         Count(m, key, "like_count", out.like_count) && Count(m, key, "quote_count", out.quote_count) &&
         Count(m, key, "bookmark_count", out.bookmark_count) &&
         Count(m, key, "impression_count", out.impression_count);
}

bool Fields::UserMetrics(std::string_view key, sluice::UserMetrics& out) {
  if (!ok()) return false;
  const json::value* v = Get(key);
  if (!v) return true;
  if (!v->is_object()) return Fail(Quote(key) + " is not an object");
  const json::object& m = v->get_object();
  return Count(m, key, "followers_count", out.followers_count) &&
         Count(m, key, "following_count", out.following_count) && Count(m, key, "tweet_count", out.tweet_count) &&
         Count(m, key, "listed_count", out.listed_count) && Count(m, key, "like_count", out.like_count);
}

bool Fields::IdList(std::string_view key, std::vector<Id>& out) {
  if (!ok()) return false;
  const json::value* v = Get(key);
  if (!v) return true;
  if (!v->is_array()) return Fail(Quote(key) + " is not an array");
  const json::array& items = v->get_array();
  for (size_t i = 0; i < items.size(); ++i) {
    std::optional<Id> id = IdValue(items[i], std::string(key) + "[" + std::to_string(i) + "]");
    if (!id) return false;
    out.push_back(*id);
  }
  return true;
}

bool Fields::StringList(std::string_view key, std::vector<std::string>& out) {
  if (!ok()) return false;
  const json::value* v = Get(key);
  if (!v) return true;
  if (!v->is_array()) return Fail(Quote(key) + " is not an array");
  const json::array& items = v->get_array();
  for (size_t i = 0; i < items.size(); ++i) {
    std::string name = std::string(key) + "[" + std::to_string(i) + "]";
    const json::string* s = items[i].if_string();
    if (!s) return Fail(Quote(name) + " is not a string");
    if (!IsValidUtf8(*s)) return Fail(Quote(name) + " is not valid UTF-8");
    if (s->empty() || s->find(',') != json::string::npos) return Fail(Quote(name) + " is empty or holds a ','");
    out.emplace_back(*s);
  }
  return true;
}

bool Fields::Verified(VerifiedType& out) {
  if (!ok()) return false;
  if (const json::value* v = Get("verified_type")) {
    const json::string* s = v->if_string();
    std::optional<VerifiedType> t = s ? ParseVerifiedType(*s) : std::nullopt;
    if (!t) return Fail("\"verified_type\" is not none, blue, business or government");
    out = *t;
    return true;
  }
  bool verified = false;
  if (!OptionalBool("verified", verified)) return false;
  if (verified) out = VerifiedType::kBlue;
  return true;
}

bool IsValidUsername(std::string_view s) {
  if (s.empty() || s.size() > 15) return false;
  for (char c : s)
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_')) return false;
  return true;
}

std::string Lowercase(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = char(c - 'A' + 'a');
  return out;
}

}  // namespace sluice::import_internal
