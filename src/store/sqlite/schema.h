#pragma once
//! The SQLite schema, as an ordered list of migrations. schema_version holds how many have
//! been applied; opening a store applies the rest in one transaction each.

#include <span>
#include <string_view>

namespace sluice::sqlite {

std::span<const std::string_view> Migrations();

}  // namespace sluice::sqlite
