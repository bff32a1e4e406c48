#include "core/types.h"

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

}  // namespace sluice
