// Fuzzes the ledger's readers on corrupt segment files: the input is written as one or more
// segments (pieces split at "\xffSEG", each starting with a byte that picks its first seq),
// then the scans, the record decoder, verify, recovery and repair run on them. Any bytes give
// records or a clear error, never a crash; and a ledger that recovery or repair opened and
// closed must verify.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

#include <spdlog/spdlog.h>

#include "ledger/ledger.h"
#include "ledger/segment.h"
#include "ledger/tools.h"

namespace {

namespace fs = std::filesystem;
using namespace sluice;

const std::string& Dir() {
  static const std::string dir = [] {
    // In memory when possible: recovery fsyncs, and a disk would make each run milliseconds.
    std::string base = fs::is_directory("/dev/shm") ? "/dev/shm" : "/tmp";
    std::string tmpl = base + "/sluice-ledger-fuzz-XXXXXX";
    const char* made = mkdtemp(tmpl.data());
    if (!made) std::abort();
    spdlog::set_level(spdlog::level::off);  // recovery warns about what it cuts
    return std::string(made) + "/ledger";
  }();
  static const bool cleanup = [] {
    return std::atexit([] { fs::remove_all(fs::path(Dir()).parent_path()); }) == 0;
  }();
  (void)cleanup;
  return dir;
}

// The signing key survives from run to run (making one is the slowest step of Open).
void WriteSegments(std::string_view input, const std::string& dir) {
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec))
    if (e.path().filename() != "checkpoint.key") fs::remove_all(e.path());
  fs::create_directories(dir);
  constexpr std::string_view kSplit = "\xffSEG";
  for (int piece = 0; piece < 4 && !input.empty(); ++piece) {
    size_t end = input.find(kSplit);
    std::string_view bytes = input.substr(0, end);
    input = end == std::string_view::npos ? std::string_view() : input.substr(end + kSplit.size());
    uint64_t first_seq = bytes.empty() ? 0 : uint8_t(bytes[0]);
    if (!bytes.empty()) bytes.remove_prefix(1);
    std::ofstream(dir + "/" + SegmentFileName(first_seq), std::ios::binary | std::ios::trunc) << bytes;
  }
}

void MustVerify(const std::string& dir, const char* after) {
  auto report = VerifyLedger(dir, nullptr);
  if (!report.ok()) {
    std::fprintf(stderr, "a ledger %s does not verify: %s\n", after, report.status().message().c_str());
    std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string& dir = Dir();
  std::string_view input(reinterpret_cast<const char*>(data), size);
  WriteSegments(input, dir);

  auto decode = [](const LedgerPosition&, std::string_view payload) -> Status {
    auto record = DecodeRecord(payload);
    if (record.ok() && EncodeRecord(*record) != payload) std::abort();  // one encoding per record
    return Status::Ok();
  };
  (void)ScanSegments(dir, false, decode);
  (void)ScanSegments(dir, true, decode);
  (void)ScanSegmentsToDamage(dir, decode);
  (void)VerifySegments(dir);

  // Recovery on segments without tree hashes (as after a crash before the first sync of
  // the tree): it opens (cutting a torn tail) or refuses; opened and closed, it verifies.
  LedgerOptions options;
  options.dir = dir;
  options.sync_interval_ms = 1000;
  if (auto ledger = Ledger::Open(options); ledger.ok()) {
    if ((*ledger)->Close().ok()) MustVerify(dir, "recovery opened");
  } else {
    options.repair = true;
    auto repaired = Ledger::Open(options);
    if (!repaired.ok() || !(*repaired)->Close().ok()) {
      std::fprintf(stderr, "repair failed: %s\n", repaired.ok() ? "close" : repaired.status().message().c_str());
      std::abort();
    }
    MustVerify(dir, "repair opened");
  }
  (void)VerifyLedger(dir, nullptr);
  return 0;
}
