// The admin API's one table (api/admin_call.h, AdminRouteOf): every admin route has its handler
// and rule there (or its rule there and its handler in api/admin_evidence.h), and no other route
// has one.
#include <gtest/gtest.h>

#include <set>
#include <string_view>

#include "api/admin_call.h"
#include "api/admin_evidence.h"

namespace sluice {
namespace {

TEST(AdminRoutes, EveryAdminRouteAndNoOtherHasAHandler) {
  for (const Route& r : kRoutes) {
    const bool handled = AdminRouteOf(r.id).handler != nullptr || AdminEvidence::Serves(r.id);
    EXPECT_EQ(handled, r.kind == RouteKind::kAdmin) << EndpointName(r.id);
    EXPECT_FALSE(AdminRouteOf(r.id).handler != nullptr && AdminEvidence::Serves(r.id)) << EndpointName(r.id);
    if (r.kind == RouteKind::kAdmin) {
      EXPECT_EQ(r.pattern.substr(0, 10), "/admin/v1/") << EndpointName(r.id);
    }
  }
}

// AdminEvidence serves the admin routes AdminRouteOf has no handler for: exactly these, so that
// an admin route added to the table without its case in AdminRouteOf fails here.
TEST(AdminRoutes, TheEvidenceRoutesAreTheLedgerAndTraceRuns) {
  std::set<std::string_view> served;
  for (const Route& r : kRoutes)
    if (AdminEvidence::Serves(r.id)) served.insert(EndpointName(r.id));
  std::set<std::string_view> expected;
  for (RouteId id : {RouteId::kAdminLedger, RouteId::kAdminVerifyLedger, RouteId::kAdminSignCheckpoint,
                     RouteId::kAdminCreateTrace, RouteId::kAdminGetTraces, RouteId::kAdminGetTrace,
                     RouteId::kAdminGetTraceEvidence})
    expected.insert(EndpointName(id));
  EXPECT_EQ(served, expected);
}

TEST(AdminRoutes, OnlySigningInIsOpenAndOperatorRoutesAreMarked) {
  EXPECT_EQ(AdminRouteOf(RouteId::kAdminCreateSession).access, AdminAccess::kAnyone);
  for (const Route& r : kRoutes) {
    if (r.kind == RouteKind::kAdmin && r.id != RouteId::kAdminCreateSession) {
      EXPECT_NE(AdminRouteOf(r.id).access, AdminAccess::kAnyone) << EndpointName(r.id);
    }
    if (AdminEvidence::Serves(r.id)) {  // the ledger and trace runs: the operator's only
      EXPECT_EQ(AdminRouteOf(r.id).access, AdminAccess::kAdmin) << EndpointName(r.id);
    }
  }
  for (RouteId id : {RouteId::kAdminGetProjects, RouteId::kAdminCreateProject})
    EXPECT_EQ(AdminRouteOf(id).access, AdminAccess::kAdmin) << EndpointName(id);
  for (RouteId id : {RouteId::kAdminRotateConsoleKey, RouteId::kAdminAddCredits})
    EXPECT_EQ(AdminRouteOf(id).access, AdminAccess::kAdminProject) << EndpointName(id);
}

}  // namespace
}  // namespace sluice
