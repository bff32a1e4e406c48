#pragma once
#include <istream>
#include "core/result.h"
#include "store/store.h"
namespace sluice {
Result<WriteBatch> ImportJsonl(std::istream& in, const std::string& file_name);
}
