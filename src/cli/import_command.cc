#include "cli/import_command.h"

#include <cstdio>
#include <fstream>

#include "ingest/import.h"

namespace sluice::cli {

std::unique_ptr<ImportCommand> AddImportCommand(CLI::App& app, Common& common) {
  auto owned = std::make_unique<ImportCommand>();
  ImportCommand& c = *owned;
  c.cmd = app.add_subcommand("import", "import posts and users saved by an X API v2 client (JSONL); all or nothing");
  AddCommon(c.cmd, common);
  c.cmd->add_option("file", c.file, "JSONL file")->required();
  return owned;
}

int RunImportCommand(ImportCommand& c, Store& store) {
  std::ifstream in(c.file, std::ios::binary);
  if (!in) return Fail(CommandError(c.file + ": cannot read file"));
  auto batch = ImportJsonl(in, c.file);
  if (!batch.ok()) return Fail(batch.status());
  for (auto& [user_id, password] : batch->passwords) password.set_at = SystemClock::Instance().NowMs();
  if (Status s = store.Apply(*batch); !s.ok()) return Fail(CommandError(c.file + ": " + s.message()));
  if (Status s = store.AfterBulkLoad(); !s.ok()) return Fail(s);
  std::printf("imported %zu users and %zu posts from %s\n", batch->users.size(), batch->posts.size(), c.file.c_str());
  return 0;
}

}  // namespace sluice::cli
