#pragma once
//! Where a ledger keeps what, inside its directory (DATA/ledger). One place for every path.

#include <cstdio>
#include <string>

namespace sluice {

inline std::string TreeDir(const std::string& dir) { return dir + "/tree"; }
inline std::string TreeLevelPath(const std::string& tree_dir, int level) {
  char name[32];
  std::snprintf(name, sizeof name, "/level-%02d.hashes", level);
  return tree_dir + name;
}
inline std::string CheckpointDir(const std::string& dir) { return dir + "/checkpoints"; }
inline std::string SigningKeyPath(const std::string& dir) { return dir + "/checkpoint.key"; }
//! The public verifier key, written next to the private one so read-only tools need no secret.
inline std::string VerifierKeyPath(const std::string& dir) { return dir + "/checkpoint.vkey"; }
inline std::string LockPath(const std::string& dir) { return dir + "/LOCK"; }
//! The clean-close marker: written at Close ("records N\n"), removed at Open.
inline constexpr const char* kClosedMarkerName = "CLOSED";
inline std::string ClosedMarkerPath(const std::string& dir) { return dir + "/" + kClosedMarkerName; }
//! What `sluice ledger repair` did, one line per action, appended.
inline std::string RepairLogPath(const std::string& dir) { return dir + "/repairs.log"; }

}  // namespace sluice
