#include "store/postgres/pg_store_rows.h"

namespace sluice::pg {

// store_writes' last_value is 1 before its first nextval as after it: is_called tells them apart.
const std::string_view kWritesMark = "(SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM store_writes)";


}  // namespace sluice::pg
