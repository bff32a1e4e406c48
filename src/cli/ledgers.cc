#include "cli/ledgers.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "ledger/ledger_files.h"
#include "ledger/segment.h"

namespace sluice::cli {

namespace fs = std::filesystem;

namespace {

bool IsLedgerDir(const fs::path& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return false;
  if (fs::exists(VerifierKeyPath(dir.string()), ec) || fs::is_directory(CheckpointDir(dir.string()), ec)) return true;
  auto segments = ListSegments(dir.string());
  return segments.ok() && !segments->empty();
}

std::string VerifierKey(const std::string& dir) {
  std::ifstream in(VerifierKeyPath(dir));
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

void AddLedgersOption(CLI::App* cmd, std::vector<std::string>& paths) {
  cmd->add_option("--ledger", paths,
                  "a node's ledger (DATA/ledger), its data directory, or a directory of them; repeat for several "
                  "nodes (default: the ledger of --data)");
}

Result<std::vector<std::string>> ResolveLedgers(const std::vector<std::string>& paths, const std::string& data) {
  std::vector<std::string> dirs;
  if (paths.empty()) {
    dirs.push_back((fs::path(data) / "ledger").string());
    return dirs;
  }
  for (const std::string& path : paths) {
    const size_t before = dirs.size();
    if (IsLedgerDir(path)) {
      dirs.push_back(path);
    } else if (IsLedgerDir(fs::path(path) / "ledger")) {
      dirs.push_back((fs::path(path) / "ledger").string());
    } else {
      std::vector<fs::path> subdirs;
      std::error_code ec;
      for (const auto& e : fs::directory_iterator(path, ec))
        if (e.is_directory(ec)) subdirs.push_back(e.path());
      std::sort(subdirs.begin(), subdirs.end());
      for (const fs::path& sub : subdirs) {
        if (IsLedgerDir(sub)) dirs.push_back(sub.string());
        else if (IsLedgerDir(sub / "ledger")) dirs.push_back((sub / "ledger").string());
      }
    }
    if (dirs.size() == before)
      return CommandError("--ledger " + path +
                          ": no ledger there (a ledger directory, a data directory holding ledger/, or a directory of them)");
  }
  std::map<std::string, std::string> seen;  // canonical path or verifier key -> the path given
  for (const std::string& dir : dirs) {
    std::error_code ec;
    const std::string canonical = fs::weakly_canonical(dir, ec).string();
    if (auto [it, added] = seen.emplace("path:" + canonical, dir); !added)
      return CommandError("--ledger: " + dir + " is named twice (as " + it->second + ")");
    const std::string key = VerifierKey(dir);
    if (key.empty()) continue;
    if (auto [it, added] = seen.emplace("key:" + key, dir); !added)
      return CommandError("--ledger: " + dir + " and " + it->second +
                          " are the same ledger (one verifier key): a copy would count its deliveries twice");
  }
  return dirs;
}

}  // namespace sluice::cli
