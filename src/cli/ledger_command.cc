#include "cli/ledger_command.h"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>

#include <fmt/format.h>

#include "cli/ledgers.h"
#include "core/time_format.h"
#include "ledger/tools.h"

namespace sluice::cli {

std::unique_ptr<LedgerCommand> AddLedgerCommand(CLI::App& app, Common& common) {
  auto owned = std::make_unique<LedgerCommand>();
  LedgerCommand& c = *owned;
  c.cmd = app.add_subcommand("ledger", "the evidence ledger: verify, prove and export deliveries");
  c.cmd->require_subcommand(1);
  auto ledger_data_option = [&](CLI::App* sub) { sub->add_option("--data", c.ledger_data, "data directory")->capture_default_str(); };
  c.verify = c.cmd->add_subcommand("verify", "recompute every hash and CRC, check every signed checkpoint");
  ledger_data_option(c.verify);
  AddLedgersOption(c.verify, c.ledgers);
  c.checkpoint = c.cmd->add_subcommand("checkpoint", "sign a checkpoint of the ledger now (server stopped)");
  ledger_data_option(c.checkpoint);
  c.checkpoint->add_option("--config", common.config_file, "TOML config file (ledger.origin)");
  c.repair = c.cmd->add_subcommand(
      "repair", "cut a damaged ledger to its whole records and rebuild what they prove (server stopped; logged)");
  ledger_data_option(c.repair);
  c.repair->add_option("--config", common.config_file, "TOML config file (ledger.origin)");
  c.prove = c.cmd->add_subcommand("prove", "JSON: every record in which an app received a post, with proofs");
  ledger_data_option(c.prove);
  c.prove->add_option("--app", c.ledger_app, "app id")->required()->check(IntIn<Id>(0));
  c.prove->add_option("--post", c.ledger_post, "post id")->required()->check(IntIn<Id>(0));
  AddLedgersOption(c.prove, c.ledgers);
  c.prove->add_flag("--notice", c.notice,
                    "prove instead that the app was told the post needs action (compliance notices, record version 4)");
  c.consistency = c.cmd->add_subcommand("consistency", "JSON: the consistency proof between two tree sizes");
  ledger_data_option(c.consistency);
  c.consistency->add_option("--from", c.from_size, "older tree size")->required()->check(IntIn<uint64_t>());
  c.consistency->add_option("--to", c.to_size, "newer tree size")->required()->check(IntIn<uint64_t>());
  c.pubkey = c.cmd->add_subcommand("pubkey", "print the verifier key of the ledger's checkpoints");
  ledger_data_option(c.pubkey);
  c.exporter = c.cmd->add_subcommand("export", "the records of an app as JSON lines");
  ledger_data_option(c.exporter);
  c.exporter->add_option("--app", c.ledger_app, "app id (0: every app)")->required()->check(IntIn<Id>(0));
  c.exporter->add_option("--from", c.from_time, "from this time (RFC 3339), inclusive");
  c.exporter->add_option("--to", c.to_time, "to this time (RFC 3339), exclusive");
  c.exporter->add_option("--authorized-by", c.authorized_by,
                         "only what apps did in this account's name (its user access tokens)")
      ->check(IntIn<Id>(1));
  AddLedgersOption(c.exporter, c.ledgers);
  c.check = c.cmd->add_subcommand("check-proof", "check a `ledger prove` file with only the verifier key");
  c.check->add_option("file", c.proof_file, "the JSON written by `sluice ledger prove`")->required();
  c.check->add_option("--pubkey", c.pubkey_text, "the verifier key (`sluice ledger pubkey`)")->required();

  return owned;
}

int RunLedgerCommand(LedgerCommand& c, Common& common) {
  common.data = c.ledger_data;
  std::string dir = LedgerDir(common);
  if (*c.verify && c.ledgers.empty()) {
    auto report = VerifyLedger(dir, ScanProgress);
    if (!report.ok()) return Fail(report.status());
    std::fputs(DescribeVerifyReport(*report).c_str(), stdout);
    return 0;
  }
  if (*c.verify) {
    // Several nodes' ledgers: each is proved on its own (its records, tree and checkpoints,
    // signed by its own key); every one is reported, and any failure fails the whole.
    auto ledgers = ResolveLedgers(c.ledgers, c.ledger_data);
    if (!ledgers.ok()) return Fail(ledgers.status());
    uint64_t records = 0;
    int failed = 0;
    for (const std::string& ledger : *ledgers) {
      auto report = VerifyLedger(ledger, ScanProgress);
      if (!report.ok()) {
        std::fprintf(stderr, "sluice: %s: %s\n", ledger.c_str(), report.status().message().c_str());
        ++failed;
        continue;
      }
      records += report->records;
      std::printf("%s: %s", ledger.c_str(), DescribeVerifyReport(*report).c_str());
    }
    if (failed > 0) return Fail(CommandError(fmt::format("{} of {} ledgers failed to verify", failed, ledgers->size())));
    std::printf("%zu ledgers OK: %llu records\n", ledgers->size(), (unsigned long long)records);
    return 0;
  }
  if (*c.check) {
    auto summary = CheckProofFile(c.proof_file, c.pubkey_text);
    if (!summary.ok()) return Fail(summary.status());
    std::printf("%s\n", summary->c_str());
    return 0;
  }
  if (*c.pubkey) {
    auto key = LedgerPublicKey(dir);
    if (!key.ok()) return Fail(key.status());
    std::printf("%s\n", key->c_str());
    return 0;
  }
  if (*c.prove) {
    // Several nodes: a proof comes from one ledger (its tree, its signed checkpoint), so the
    // first ledger, in the order given, whose records prove the delivery gives it; its
    // checkpoint note names its node.
    auto ledgers = ResolveLedgers(c.ledgers, c.ledger_data);
    if (!ledgers.ok()) return Fail(ledgers.status());
    std::string why;
    for (const std::string& ledger : *ledgers) {
      auto json = c.notice ? ProveNotice(ledger, c.ledger_app, c.ledger_post, ScanProgress)
                           : ProveDelivery(ledger, c.ledger_app, c.ledger_post, ScanProgress);
      if (json.ok()) {
        std::printf("%s\n", json->c_str());
        return 0;
      }
      why += (why.empty() ? "" : "; ") + (ledgers->size() > 1 ? ledger + ": " : "") + json.status().message();
    }
    return Fail(CommandError(why));
  }
  if (*c.consistency) {
    auto json = ConsistencyJson(dir, c.from_size, c.to_size);
    if (!json.ok()) return Fail(json.status());
    std::printf("%s\n", json->c_str());
    return 0;
  }
  if (*c.exporter) {
    std::optional<TimeMs> from, to;
    if (!c.from_time.empty() && !(from = ParseTime(c.from_time))) return Fail(CommandError("--from " + c.from_time + ": not an RFC 3339 time"));
    if (!c.to_time.empty() && !(to = ParseTime(c.to_time))) return Fail(CommandError("--to " + c.to_time + ": not an RFC 3339 time"));
    // Several nodes: each ledger's records in turn, in the order given.
    auto ledgers = ResolveLedgers(c.ledgers, c.ledger_data);
    if (!ledgers.ok()) return Fail(ledgers.status());
    for (const std::string& ledger : *ledgers) {
      Status s = ExportRecords(ledger, c.ledger_app, from, to, std::cout, ScanProgress, c.authorized_by);
      std::cout.flush();
      if (!s.ok()) return Fail(s);
    }
    return 0;
  }
  if (*c.repair) {
    // Explicit and logged: what it removes is kept in DATA/ledger/repaired-<ms>/, and each
    // step is a line of DATA/ledger/repairs.log, printed here too.
    auto config = LoadSettings(common);
    if (!config.ok()) return Fail(config.status());
    std::error_code ec;
    uint64_t log_before = std::filesystem::file_size(dir + "/repairs.log", ec);
    if (ec) log_before = 0;
    auto ledger = OpenLedger(*config, common, /*repair=*/true);
    if (!ledger.ok()) return Fail(ledger.status());
    if (Status s = (*ledger)->Close(); !s.ok()) return Fail(s);
    std::ifstream log(dir + "/repairs.log");
    log.seekg(static_cast<std::streamoff>(log_before));
    std::cout << log.rdbuf();
    std::cout.flush();
    return 0;
  }
  if (*c.checkpoint) {
    auto config = LoadSettings(common);
    if (!config.ok()) return Fail(config.status());
    auto ledger = OpenLedger(*config, common);
    if (!ledger.ok()) return Fail(ledger.status());
    auto note = (*ledger)->Checkpoint();
    if (!note.ok()) return Fail(note.status());
    if (Status s = (*ledger)->Close(); !s.ok()) return Fail(s);
    std::fputs(note->c_str(), stdout);
    return 0;
  }
  return 0;
}

}  // namespace sluice::cli
