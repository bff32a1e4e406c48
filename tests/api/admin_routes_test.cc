// The admin API's one table (api/admin_call.h, AdminRouteOf): every admin route has its handler
// and rule there, and no other route has one.
#include <gtest/gtest.h>

#include "api/admin_call.h"

namespace sluice {
namespace {

TEST(AdminRoutes, EveryAdminRouteAndNoOtherHasAHandler) {
  for (const Route& r : kRoutes) {
    EXPECT_EQ(AdminRouteOf(r.id).handler != nullptr, r.kind == RouteKind::kAdmin) << EndpointName(r.id);
    if (r.kind == RouteKind::kAdmin) EXPECT_EQ(r.pattern.substr(0, 10), "/admin/v1/") << EndpointName(r.id);
  }
}

TEST(AdminRoutes, OnlySigningInIsOpenAndOperatorRoutesAreMarked) {
  EXPECT_EQ(AdminRouteOf(RouteId::kAdminCreateSession).access, AdminAccess::kAnyone);
  for (const Route& r : kRoutes)
    if (r.kind == RouteKind::kAdmin && r.id != RouteId::kAdminCreateSession)
      EXPECT_NE(AdminRouteOf(r.id).access, AdminAccess::kAnyone) << EndpointName(r.id);
  for (RouteId id : {RouteId::kAdminGetProjects, RouteId::kAdminCreateProject})
    EXPECT_EQ(AdminRouteOf(id).access, AdminAccess::kAdmin) << EndpointName(id);
  for (RouteId id : {RouteId::kAdminRotateConsoleKey, RouteId::kAdminAddCredits})
    EXPECT_EQ(AdminRouteOf(id).access, AdminAccess::kAdminProject) << EndpointName(id);
}

}  // namespace
}  // namespace sluice
