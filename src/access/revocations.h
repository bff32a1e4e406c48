#pragma once
//! RevocationGeneration: how a revoked or rotated token is refused by every worker of a running
//! server before `sluice keys revoke|rotate` returns, without a store read per request.
//!
//! A counter of 8 bytes in DATA/auth.generation, mapped shared (MAP_SHARED) by the server and by
//! the command. The command bumps it after committing the change to the store; each worker
//! loads it (one atomic load) at the start of every authentication, and when it differs from
//! the value its app cache was filled under, empties that cache first. A request that arrives
//! after the command returned therefore reads the app from the store, which has the commit.
//! Works across processes on one machine (the page is the same page cache page); a store
//! shared by servers on several machines would need the counter there instead.

#include <cstdint>
#include <memory>
#include <string>

#include "core/result.h"

namespace sluice {

class RevocationGeneration {
 public:
  //! Maps DATA/auth.generation, creating it (as 0) when missing. Errors: CommandError naming
  //! the file.
  static Result<std::unique_ptr<RevocationGeneration>> Open(const std::string& data_dir);
  ~RevocationGeneration();
  RevocationGeneration(const RevocationGeneration&) = delete;
  RevocationGeneration& operator=(const RevocationGeneration&) = delete;

  //! The current value. Thread-safe, lock-free; sees every Bump that returned before, in any
  //! process.
  uint64_t Load() const;
  //! Adds one, visible to every process that maps the file. Call after the store commit it
  //! announces. Thread-safe.
  void Bump();

 private:
  RevocationGeneration(int fd, void* map) : fd_(fd), map_(map) {}
  int fd_;
  void* map_;
};

}  // namespace sluice
