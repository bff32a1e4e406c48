#include "billing/invoice.h"

#include <gtest/gtest.h>

namespace sluice {
namespace {

TEST(Invoice, MonthRangeAndRounding) {
  auto jan = MonthRange("2024-01");
  ASSERT_TRUE(jan.ok());
  EXPECT_EQ(jan->first, 1704067200000);
  EXPECT_EQ(jan->second, 1706745600000);
  auto dec = MonthRange("2023-12");
  EXPECT_EQ(dec->second, 1704067200000);
  for (const char* bad : {"2024-13", "2024-1", "24-01", "2024/01", "", "2024-00", "2005-12"})
    EXPECT_FALSE(MonthRange(bad).ok()) << bad;
  // Signs and spaces inside the fields (sscanf's %2d took these as January).
  for (const char* bad : {"2026- 1", "2026-+1", "2026-1 ", "+202-01", " 202-01"}) {
    auto range = MonthRange(bad);
    ASSERT_FALSE(range.ok()) << bad;
    EXPECT_EQ(range.status().message(), "--month " + std::string(bad) + ": expected YYYY-MM");
  }
  EXPECT_EQ(MicroUsdToCents(4'999), 0);
  EXPECT_EQ(MicroUsdToCents(5'000), 1);
  EXPECT_EQ(MicroUsdToCents(-5'000), -1);
  EXPECT_EQ(MicroUsdToCents(100'000'000), 10'000);
}

TEST(Invoice, SubscriptionWithAndWithoutOverage) {
  const Plan& pro = *Plans::Defaults().Find("pro");
  Invoice inv = BuildInvoice(7, "2024-01", pro, {{0, 900'000, 0, 10, 0}, {0, 200'000, 0, 0, 0}}, 0);
  ASSERT_EQ(inv.lines.size(), 1u);  // pro has no overage price: reads past the cap were refused
  EXPECT_EQ(inv.lines[0].item, "subscription");
  EXPECT_EQ(inv.total_cents, 500'000);

  const Plan& ent = *Plans::Defaults().Find("enterprise");
  ASSERT_TRUE(ent.overage_post_read_price.has_value());
  Invoice over = BuildInvoice(7, "2024-01", ent, {{0, 50'000'000, 0, 0, 0}, {0, 1'000'000, 0, 0, 0}}, 0);
  ASSERT_EQ(over.lines.size(), 2u);
  EXPECT_EQ(over.lines[1].item, "overage");
  EXPECT_EQ(over.lines[1].quantity, 1'000'000);
  EXPECT_EQ(over.total_cents, 4'200'000 + MicroUsdToCents(1'000'000 * *ent.overage_post_read_price));
}

TEST(Invoice, PayPerUseLinesAndCredits) {
  const Plan& payg = *Plans::Defaults().Find("payg");
  // 1,000 posts ($5.00), 100 users ($1.00), 10 posts created ($0.15).
  Invoice inv = BuildInvoice(9, "2024-02", payg, {{0, 600, 60, 4, 0}, {0, 400, 40, 6, 0}}, 5'000'000);
  ASSERT_EQ(inv.lines.size(), 4u);
  EXPECT_EQ(inv.lines[0].amount_cents, 500);
  EXPECT_EQ(inv.lines[1].amount_cents, 100);
  EXPECT_EQ(inv.lines[2].amount_cents, 15);
  EXPECT_EQ(inv.lines[3].item, "credits");
  EXPECT_EQ(inv.lines[3].amount_cents, -500);  // only $5.00 of credit was available
  EXPECT_EQ(inv.total_cents, 115);
  std::string csv = InvoiceCsv(inv);
  EXPECT_NE(csv.find("9,2024-02,payg,posts-read,Posts read (distinct per UTC day),1000,0.005000,5.00\n"), std::string::npos) << csv;
  EXPECT_NE(csv.find("total,Total due,,,1.15\n"), std::string::npos) << csv;
  EXPECT_NE(InvoiceJson(inv).find("\"total_cents\":115"), std::string::npos);
}

}  // namespace
}  // namespace sluice
