#include "cli/billing_command.h"

#include <cstdio>

#include "access/usage_meter.h"
#include "api/usage.h"
#include "billing/invoice.h"
#include "cli/ledgers.h"
#include "core/clock.h"
#include "core/json_writer.h"
#include "core/time_format.h"

namespace sluice::cli {

std::unique_ptr<BillingCommand> AddBillingCommands(CLI::App& app, Common& common) {
  auto owned = std::make_unique<BillingCommand>();
  BillingCommand& c = *owned;
  c.credits = app.add_subcommand("credits", "prepaid pay-per-use credits");
  c.credits->require_subcommand(1);
  c.credits_add = c.credits->add_subcommand("add", "add prepaid credits to a project");
  AddCommon(c.credits_add, common);
  c.credits_add->add_option("--project", c.billing_project, "project id")->required()->check(IntIn<Id>(0));
  c.credits_add->add_option("--usd", c.usd, "amount in US dollars, e.g. 25 or 12.50")->required();
  c.usage = app.add_subcommand("usage", "a project's usage: posts read and written per day, from the ledger");
  AddCommon(c.usage, common);
  c.usage->add_option("--project", c.billing_project, "project id")->required()->check(IntIn<Id>(0));
  c.usage->add_option("--month", c.month, "YYYY-MM (default: the current month)");
  c.invoice = app.add_subcommand("invoice", "a project's invoice for a month, from the ledger");
  AddCommon(c.invoice, common);
  c.invoice->add_option("--project", c.billing_project, "project id")->required()->check(IntIn<Id>(0));
  c.invoice->add_option("--month", c.month, "YYYY-MM")->required();
  AddLedgersOption(c.usage, c.ledgers);
  AddLedgersOption(c.invoice, c.ledgers);
  c.invoice->add_option("--format", c.format, "json or csv")->check(CLI::IsMember({"json", "csv"}))->capture_default_str();

  return owned;
}

int RunBillingCommand(BillingCommand& c, Common& common, const Config& config, Store& store) {
  if (*c.credits_add) {
    auto micro = ParseUsd(c.usd);
    if (!micro || *micro <= 0) return Fail(CommandError("--usd " + c.usd + ": a positive amount like 25 or 12.50 (at most 6 decimals)"));
    auto project = store.GetProject(c.billing_project);
    if (!project.ok()) return Fail(project.status());
    if (!project->has_value()) return Fail(CommandError("project " + std::to_string(c.billing_project) + " does not exist"));
    if (Status s = store.AddCredits(c.billing_project, *micro, SystemClock::Instance().NowMs()); !s.ok()) return Fail(s);
    auto all = store.Credits(c.billing_project);
    MicroUsd added = 0;
    for (const auto& entry : *all) added += entry.micro_usd;
    std::printf("{\"project_id\":\"%lld\",\"added_usd\":\"%s\",\"credits_added_total_micro_usd\":%lld}\n",
                (long long)c.billing_project, c.usd.c_str(), (long long)added);
    return 0;
  }
  if (*c.usage || *c.invoice) {
    auto project = store.GetProject(c.billing_project);
    if (!project.ok()) return Fail(project.status());
    if (!project->has_value()) return Fail(CommandError("project " + std::to_string(c.billing_project) + " does not exist"));
    auto plans = LoadPlans(config);
    if (!plans.ok()) return Fail(plans.status());
    const Plan* plan = plans->Find((*project)->plan);
    if (!plan) return Fail(CommandError("project " + std::to_string(c.billing_project) + " has no app, so no plan"));
    if (c.month.empty()) c.month = FormatDate(SystemClock::Instance().NowMs()).substr(0, 7);
    auto range = MonthRange(c.month);
    if (!range.ok()) return Fail(range.status());
    auto ledgers = ResolveLedgers(c.ledgers, common.data);
    if (!ledgers.ok()) return Fail(ledgers.status());
    auto rebuilt = BillingUsage(*ledgers, store, *plans, SystemClock::Instance(), ScanProgress);
    if (!rebuilt.ok()) return Fail(rebuilt.status());
    const UsageMeter& meter = **rebuilt;
    auto days = meter.Days(c.billing_project, range->first, range->second);
    if (*c.usage) {
      JsonWriter w;
      w.BeginObject();
      w.MemberId("project_id", c.billing_project);
      w.Member("month", c.month);
      w.Member("plan", plan->name);
      w.MemberInt("cap_reset_day", (*project)->cap_reset_day);
      int64_t read = 0, written = 0;
      w.Key("days");
      w.BeginArray();
      for (const auto& d : days) {
        w.BeginObject();
        w.Member("date", FormatDate(d.day));
        w.MemberInt("posts_read", d.posts_read);
        w.MemberInt("users_read", d.users_read);
        w.MemberInt("posts_written", d.posts_written);
        w.MemberInt("spent_micro_usd", d.spent);
        w.EndObject();
        read += d.posts_read;
        written += d.posts_written;
      }
      w.EndArray();
      w.MemberInt("posts_read", read);
      w.MemberInt("posts_written", written);
      w.EndObject();
      std::printf("%s\n", w.str().c_str());
      return 0;
    }
    auto inv = ProjectInvoice(store, meter, *plan, c.billing_project, c.month);
    if (!inv.ok()) return Fail(inv.status());
    std::fputs((c.format == "csv" ? InvoiceCsv(*inv) : InvoiceJson(*inv) + "\n").c_str(), stdout);
    return 0;
  }
  return 0;
}

}  // namespace sluice::cli
