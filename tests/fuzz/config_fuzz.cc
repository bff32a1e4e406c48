// Fuzzes the settings loader as `sluice serve --config FILE` runs it: the input is written to a
// file and read by cli::LoadSettings, then the plans by cli::LoadPlans. The first byte chooses
// which file the rest of the input is:
//   even: the config file itself;
//   odd:  a plans file, named by a config file `[plans] file = "..."`.
// Any bytes give settings or one error, never a crash; the error is one line naming its file
// (sluice prints it as "sluice: <detail>").
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <string>
#include <string_view>

#include "cli/common.h"

namespace {

[[noreturn]] void Fail(const char* what, const std::string& detail) {
  std::fprintf(stderr, "config_fuzz: %s: %s\n", what, detail.c_str());
  __builtin_trap();
}

void WriteFile(const std::string& path, std::string_view bytes) {
  FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) Fail("cannot write", path);
  if (!bytes.empty() && std::fwrite(bytes.data(), 1, bytes.size(), f) != bytes.size()) Fail("short write", path);
  std::fclose(f);
}

void CheckError(const sluice::Status& s, const std::string& file) {
  if (s.message().find(file) == std::string::npos) Fail("an error that does not name its file", s.message());
  if (s.message().find('\n') != std::string::npos) Fail("an error of more than one line", s.message());
}

const std::string& Dir() {
  static const std::string dir = [] {
    auto d = std::filesystem::temp_directory_path() / ("config_fuzz." + std::to_string(::getpid()));
    std::filesystem::create_directories(d);
    return d.string();
  }();
  return dir;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const bool plans_file = data[0] % 2 == 1;
  const std::string_view body(reinterpret_cast<const char*>(data) + 1, size - 1);
  const std::string config_path = Dir() + "/sluice.toml";
  const std::string plans_path = Dir() + "/plans.toml";
  if (plans_file) {
    WriteFile(config_path, "[plans]\nfile = \"" + plans_path + "\"\n");
    WriteFile(plans_path, body);
  } else {
    WriteFile(config_path, body);
  }

  sluice::cli::Common common;
  common.config_file = config_path;
  auto config = sluice::cli::LoadSettings(common);
  if (!config.ok()) {
    if (plans_file) Fail("the config naming the plans file failed", config.status().message());
    CheckError(config.status(), config_path);
    return 0;
  }
  if (!plans_file && !config->plans_file.empty()) return 0;  // names some file on this machine
  auto plans = sluice::cli::LoadPlans(*config);
  if (!plans.ok()) {
    if (!plans_file) Fail("the shipped plans failed", plans.status().message());
    CheckError(plans.status(), plans_path);
  }
  return 0;
}
