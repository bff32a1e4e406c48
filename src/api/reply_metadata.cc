#include "api/reply_metadata.h"

#include <algorithm>

#include "core/text.h"

namespace sluice {

namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

// The usernames `text` starts with: "@a @b rest" -> {a, b} (mentions separated by spaces only).
std::vector<std::string> LeadingMentions(std::string_view text) {
  std::vector<std::string> out;
  int32_t next = 0;
  for (const auto& m : ExtractEntities(text).mentions) {
    if (m.span.start != next) break;
    out.push_back(m.username);
    next = m.span.end + 1;
  }
  return out;
}

// X caps a reply's generated mentions at 50.
constexpr size_t kMaxReplyMentions = 50;

}  // namespace

Result<std::string> ReplyMentionsPrefix(Store& store, const Post& parent, Id replier, std::string_view text,
                                        const std::vector<Id>& exclude) {
  std::vector<std::string> already;
  for (const auto& name : LeadingMentions(text)) already.push_back(Lower(name));
  std::vector<std::string> seen = already;
  std::string prefix;
  size_t count = 0;
  auto add = [&](const User& u, bool removable) {
    std::string lc = Lower(u.username);
    if (u.id == replier || u.synthetic || std::find(seen.begin(), seen.end(), lc) != seen.end()) return;
    if (removable && std::find(exclude.begin(), exclude.end(), u.id) != exclude.end()) return;
    if (count == kMaxReplyMentions) return;
    seen.push_back(std::move(lc));
    prefix += "@" + u.username + " ";
    ++count;
  };
  auto author = store.GetUsers(std::span<const Id>(&parent.author_id, 1));
  if (!author.ok()) return author.status();
  if (!author->empty()) add(author->front(), /*removable=*/false);
  if (parent.Reference(ReferenceType::kRepliedTo)) {
    std::vector<std::string> names = LeadingMentions(parent.text);
    if (!names.empty()) {
      auto users = store.GetUsersByUsername(names);
      if (!users.ok()) return users.status();
      // In the parent's order; unknown usernames are left out.
      for (const auto& name : names)
        for (const auto& u : *users)
          if (Lower(u.username) == Lower(name)) add(u, /*removable=*/true);
    }
  }
  return prefix;
}

}  // namespace sluice
