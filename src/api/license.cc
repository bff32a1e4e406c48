#include "api/license.h"

#include <cstdio>

#include "core/json_writer.h"

namespace sluice {

namespace {

// RSL's usage vocabulary covers search, ai-input and ai-train; display and analytics are
// Sluice's own and appear only in the JSON form.
constexpr const char* kRslUses[] = {"search", "ai-input", "ai-train"};

std::string Dollars(MicroUsd m) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%lld.%02lld", (long long)(m / 1'000'000), (long long)(m % 1'000'000 / 10'000));
  return buf;
}

std::string XmlEscape(std::string_view s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out.push_back(c);
    }
  }
  return out;
}

}  // namespace

std::string ContentUsage(const Plan& plan) {
  return std::string("train-ai=") + (plan.Permits("ai-train") ? "y" : "n") + ", search=" + (plan.Permits("search") ? "y" : "n");
}

std::string ContentSignal(const Plan& plan) {
  auto yn = [&](const char* use) { return plan.Permits(use) ? "yes" : "no"; };
  return std::string("search=") + yn("search") + ", ai-input=" + yn("ai-input") + ", ai-train=" + yn("ai-train");
}

std::string LicenseJson(const Plan& plan) {
  JsonWriter w;
  w.BeginObject();
  w.Key("data");
  w.BeginObject();
  w.Member("plan", plan.name);
  w.Member("title", plan.title);
  w.Key("uses");
  w.BeginObject();
  for (const auto& use : KnownUses()) w.MemberBool(use, plan.Permits(use));
  w.EndObject();
  w.Member("content_usage", ContentUsage(plan));
  w.Member("content_signal", ContentSignal(plan));
  if (plan.pay_per_use) {
    w.Key("prices_usd");
    w.BeginObject();
    w.Member("post_read", Dollars(plan.post_read_price));
    w.Member("user_read", Dollars(plan.user_read_price));
    w.Member("post_create", Dollars(plan.post_create_price));
    w.EndObject();
  } else {
    w.Member("monthly_price_usd", Dollars(plan.monthly_price));
  }
  w.Member("terms",
           "Data delivered under this plan may be used only for the uses marked true. Every delivery is recorded "
           "in a tamper-evident ledger, and delivered data may contain watermark records that identify the client "
           "that received it.");
  w.EndObject();
  w.EndObject();
  return w.Take();
}

std::string LicenseRsl(const Plan& plan) {
  std::string permits, prohibits;
  for (const char* use : kRslUses) {
    std::string& list = plan.Permits(use) ? permits : prohibits;
    list += (list.empty() ? "" : " ") + std::string(use);
  }
  std::string xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rsl xmlns=\"https://rslstandard.org/rsl\">\n";
  xml += "  <content url=\"/2/\">\n    <license>\n";
  if (!permits.empty()) xml += "      <permits type=\"usage\">" + permits + "</permits>\n";
  if (!prohibits.empty()) xml += "      <prohibits type=\"usage\">" + prohibits + "</prohibits>\n";
  if (plan.pay_per_use) {
    xml += "      <payment type=\"use\">\n        <amount currency=\"USD\">" + Dollars(plan.post_read_price) +
           "</amount>\n      </payment>\n";
  } else {
    xml += "      <payment type=\"subscription\">\n        <amount currency=\"USD\">" + Dollars(plan.monthly_price) +
           "</amount>\n      </payment>\n";
  }
  xml += "      <legal type=\"terms\">" + XmlEscape("Sluice plan " + plan.name + " (" + plan.title + ")") + "</legal>\n";
  xml += "    </license>\n  </content>\n</rsl>\n";
  return xml;
}

std::string RobotsTxt() {
  return "# Sluice: the API is licensed per plan, see /2/license/PLAN.\n"
         "User-agent: *\n"
         "Content-Usage: train-ai=n, search=y\n"
         "Content-Signal: search=yes, ai-input=no, ai-train=no\n"
         "Allow: /\n";
}

}  // namespace sluice
