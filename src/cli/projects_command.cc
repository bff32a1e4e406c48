#include "cli/projects_command.h"

#include <cstdio>

#include "access/keys.h"
#include "core/json_writer.h"

namespace sluice::cli {

std::unique_ptr<ProjectsCommand> AddProjectsCommand(CLI::App& app, Common& common) {
  auto owned = std::make_unique<ProjectsCommand>();
  ProjectsCommand& c = *owned;
  c.projects = app.add_subcommand("projects", "manage projects");
  c.projects->require_subcommand(1);
  c.console_key = c.projects->add_subcommand(
      "console-key", "give a project a new console key (the portal's sign-in), printed once as JSON; the old one is refused");
  AddCommon(c.console_key, common);
  c.console_key->add_option("--project", c.project_id, "project id")->required()->check(IntIn<Id>(1));
  return owned;
}

int RunProjectsCommand(ProjectsCommand& c, Store& store) {
  auto key = RotateConsoleKey(store, c.project_id);
  if (!key.ok()) return Fail(key.status());
  JsonWriter w;
  w.BeginObject();
  w.MemberId("project_id", c.project_id);
  w.Member("console_key", *key);
  w.EndObject();
  std::printf("%s\n", w.str().c_str());
  return 0;
}

}  // namespace sluice::cli
