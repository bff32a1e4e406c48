#pragma once
//! Internal to import.cc: typed reads of one JSON object's fields, with the first error kept
//! as a message naming the field ("\"id\" is not a 1-19 digit string"). After an error every
//! read is a no-op returning false/nullopt, so callers may chain reads and check ok() once.
//! Absent and null fields are the same: "not given".

#include <boost/json/object.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/types.h"

namespace sluice::import_internal {

class Fields {
 public:
  explicit Fields(const boost::json::object& o) : o_(o) {}

  bool ok() const { return error_.empty(); }
  const std::string& error() const { return error_; }

  //! A decimal string of 1-19 digits within int64, not 0.
  std::optional<Id> RequiredId(std::string_view key);
  std::optional<Id> OptionalId(std::string_view key);
  //! A string of valid UTF-8.
  bool RequiredString(std::string_view key, std::string& out);
  bool OptionalString(std::string_view key, std::string& out);
  //! An RFC 3339 time as ParseTime accepts it.
  std::optional<TimeMs> OptionalTime(std::string_view key);
  bool OptionalBool(std::string_view key, bool& out);
  //! [{"type": "replied_to"|"quoted"|"retweeted", "id": "..."}]
  bool References(std::string_view key, std::vector<ReferencedPost>& out);
  //! X's public_metrics objects: non-negative integers; unknown members ignored.
  bool PostMetrics(std::string_view key, sluice::PostMetrics& out);
  bool UserMetrics(std::string_view key, sluice::UserMetrics& out);
  //! An array of ids.
  bool IdList(std::string_view key, std::vector<Id>& out);
  //! An array of strings without ',' (the store keeps lists comma-separated).
  bool StringList(std::string_view key, std::vector<std::string>& out);
  //! X's note_tweet object (note_post, its OpenAPI document's name, too): its "text", a string
  //! of valid UTF-8; its entities are not read (recomputed). Left empty when absent.
  bool NoteText(std::string& out);
  //! verified_type, or else verified:true meaning blue.
  bool Verified(VerifiedType& out);

 private:
  const boost::json::value* Get(std::string_view key) const;
  bool Fail(std::string why);
  std::optional<Id> IdValue(const boost::json::value& v, std::string_view name);
  bool Count(const boost::json::object& o, std::string_view parent, std::string_view key, int64_t& out);

  const boost::json::object& o_;
  std::string error_;
};

//! 1-15 of [A-Za-z0-9_].
bool IsValidUsername(std::string_view s);
//! ASCII letters lowercased.
std::string Lowercase(std::string_view s);

}  // namespace sluice::import_internal
