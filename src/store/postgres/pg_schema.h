#pragma once
//! The PostgreSQL store's schema: a numbered list of migrations, applied in order, each once,
//! in one transaction with the version (schema_version) they reach.

#include <span>
#include <string_view>

#include "core/result.h"

namespace sluice::pg {

class Conn;

std::span<const std::string_view> Migrations();

//! Applies the migrations `conn`'s database lacks, under an advisory lock (nodes starting
//! together migrate once). CommandError when the database is newer than this sluice.
Status Migrate(Conn& conn);

}  // namespace sluice::pg
