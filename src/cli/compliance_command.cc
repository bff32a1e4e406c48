#include "cli/compliance_command.h"

#include <algorithm>
#include <cstdio>

#include "core/clock.h"
#include "core/json_writer.h"

namespace sluice::cli {

namespace {

using K = ComplianceEvent::Kind;

// Adds a subcommand of `parent` for `kind` with the subject options it takes.
CLI::App* Add(ComplianceCommand& c, Common& common, CLI::App& parent, const char* name, const char* help, K kind) {
  CLI::App* cmd = parent.add_subcommand(name, help);
  AddCommon(cmd, common);
  if (kind == K::kWithheld) {
    cmd->add_option("--id", c.id, "the post's id")->required();
  } else {
    auto* username = cmd->add_option("--username", c.username, "the account's username (case-insensitive)");
    auto* id = cmd->add_option("--id", c.id, "the account's id");
    username->excludes(id);
    id->excludes(username);
    cmd->callback([cmd, username, id] {
      if (username->count() + id->count() == 0) throw CLI::RequiredError(cmd->get_name() + ": --username or --id");
    });
  }
  if (kind == K::kWithheld || kind == K::kUserWithheld)
    cmd->add_option("--countries", c.countries,
                    "where it is withheld: two-letter country codes (ISO 3166-1), comma-separated; replaces the list")
        ->required();
  if (kind == K::kScrubGeo)
    cmd->add_option("--up-to", c.up_to, "the id of the account's last post whose geo data is scrubbed (X's up_to_tweet_id)")
        ->required();
  c.commands.emplace_back(cmd, kind);
  return cmd;
}

}  // namespace

std::optional<ComplianceEvent::Kind> ComplianceCommand::chosen() const {
  for (const auto& [cmd, kind] : commands)
    if (*cmd) return kind;
  return std::nullopt;
}

std::unique_ptr<ComplianceCommand> AddComplianceCommands(CLI::App& app, CLI::App& users, Common& common) {
  auto owned = std::make_unique<ComplianceCommand>();
  ComplianceCommand& c = *owned;
  constexpr const char* kNoted = ": noted as a compliance event, sent on the users compliance stream";
  Add(c, common, users, "suspend", (std::string("suspend an account") + kNoted).c_str(), K::kUserSuspend);
  Add(c, common, users, "unsuspend", (std::string("lift an account's suspension") + kNoted).c_str(), K::kUserUnsuspend);
  Add(c, common, users, "delete", (std::string("delete (deactivate) an account; its data is kept") + kNoted).c_str(),
      K::kUserDelete);
  Add(c, common, users, "undelete", (std::string("restore a deleted account") + kNoted).c_str(), K::kUserUndelete);
  Add(c, common, users, "protect", (std::string("protect an account's posts") + kNoted).c_str(), K::kUserProtect);
  Add(c, common, users, "unprotect", (std::string("make an account's posts public") + kNoted).c_str(),
      K::kUserUnprotect);
  Add(c, common, users, "withhold", (std::string("withhold an account in countries") + kNoted).c_str(),
      K::kUserWithheld);
  Add(c, common, users, "scrub-geo", (std::string("scrub the geo data of an account's posts up to an id") + kNoted).c_str(),
      K::kScrubGeo);
  c.posts = app.add_subcommand("posts", "operator actions on posts");
  c.posts->require_subcommand(1);
  Add(c, common, *c.posts, "withhold",
      "withhold a post in countries: noted as a compliance event, sent on the tweets compliance stream", K::kWithheld);
  return owned;
}

int RunComplianceCommand(ComplianceCommand& c, Store& store) {
  const auto kind = c.chosen();
  if (!kind) return Fail(CommandError("no compliance command given"));
  ComplianceEvent e;
  e.kind = *kind;
  e.event_at = SystemClock::Instance().NowMs();
  if (*kind == K::kWithheld) {
    e.post_id = c.id;
  } else if (!c.username.empty()) {
    auto users = store.GetUsersByUsername(std::span<const std::string>(&c.username, 1));
    if (!users.ok()) return Fail(users.status());
    if (users->empty() || users->front().synthetic) return Fail(CommandError("no account named '" + c.username + "'"));
    e.user_id = users->front().id;
  } else {
    e.user_id = c.id;
  }
  if (*kind == K::kScrubGeo) e.post_id = c.up_to;
  if (!c.countries.empty()) {
    for (std::string_view code : SplitCommaList(c.countries)) {
      std::string upper(code);
      for (char& ch : upper)
        if (ch >= 'a' && ch <= 'z') ch = char(ch - 'a' + 'A');
      if (std::find(e.withheld_in_countries.begin(), e.withheld_in_countries.end(), upper) ==
          e.withheld_in_countries.end())
        e.withheld_in_countries.push_back(std::move(upper));
    }
  }
  auto applied = store.ApplyComplianceEvent(e);
  if (!applied.ok()) return Fail(applied.status());
  if (*applied == ComplianceApply::kUnknown)
    return Fail(CommandError(*kind == K::kWithheld ? "no live post with id " + std::to_string(c.id)
                                                   : "no account with id " + std::to_string(e.user_id)));
  JsonWriter w;
  w.BeginObject();
  w.Member("event", ComplianceEventName(e.kind));
  w.MemberId("user_id", e.user_id);
  if (e.post_id) w.MemberId(*kind == K::kScrubGeo ? "up_to_tweet_id" : "post_id", e.post_id);
  if (!e.withheld_in_countries.empty()) {
    w.Key("withheld_in_countries");
    w.BeginArray();
    for (const auto& code : e.withheld_in_countries) w.String(code);
    w.EndArray();
  }
  w.MemberBool("changed", *applied == ComplianceApply::kApplied);
  w.EndObject();
  std::printf("%s\n", w.str().c_str());
  return 0;
}

}  // namespace sluice::cli
