#include "core/types.h"

#include <utility>

namespace sluice {

std::string_view VerifiedTypeName(VerifiedType t) {
  switch (t) {
    case VerifiedType::kBlue: return "blue";
    case VerifiedType::kBusiness: return "business";
    case VerifiedType::kGovernment: return "government";
    case VerifiedType::kNone: break;
  }
  return "none";
}

std::optional<VerifiedType> ParseVerifiedType(std::string_view s) {
  if (s == "none") return VerifiedType::kNone;
  if (s == "blue") return VerifiedType::kBlue;
  if (s == "business") return VerifiedType::kBusiness;
  if (s == "government") return VerifiedType::kGovernment;
  return std::nullopt;
}

std::string_view ReferenceTypeName(ReferenceType t) {
  switch (t) {
    case ReferenceType::kQuoted: return "quoted";
    case ReferenceType::kRetweeted: return "retweeted";
    case ReferenceType::kRepliedTo: break;
  }
  return "replied_to";
}

namespace {
constexpr std::pair<ReplySettings, std::string_view> kReplySettingsNames[] = {
    {ReplySettings::kEveryone, "everyone"},         {ReplySettings::kFollowing, "following"},
    {ReplySettings::kMentionedUsers, "mentionedUsers"}, {ReplySettings::kSubscribers, "subscribers"},
    {ReplySettings::kVerified, "verified"},
};
}  // namespace

std::string_view ReplySettingsName(ReplySettings r) {
  for (const auto& [value, name] : kReplySettingsNames)
    if (value == r) return name;
  return "everyone";
}

std::optional<ReplySettings> ParseReplySettings(std::string_view s) {
  for (const auto& [value, name] : kReplySettingsNames)
    if (name == s) return value;
  return std::nullopt;
}

}  // namespace sluice
