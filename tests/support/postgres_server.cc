#include "support/postgres_server.h"

#include <arpa/inet.h>
#include <libpq-fe.h>
#include <netinet/in.h>
#include <pwd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <random>
#include <sstream>

namespace sluice::test {

namespace {

std::string FindBin() {
  std::vector<std::string> candidates;
  if (const char* env = std::getenv("SLUICE_PG_BIN")) candidates.emplace_back(env);
  candidates.emplace_back("/usr/lib/postgresql/15/bin");
  if (const char* path = std::getenv("PATH")) {
    std::stringstream ss(path);
    for (std::string part; std::getline(ss, part, ':');) candidates.push_back(part);
  }
  for (const auto& dir : candidates)
    if (access((dir + "/initdb").c_str(), X_OK) == 0 && access((dir + "/pg_ctl").c_str(), X_OK) == 0) return dir;
  return "";
}

int FreePort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof addr;
  int port = 0;
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0)
    port = ntohs(addr.sin_port);
  close(fd);
  return port;
}

// Root may not run PostgreSQL: its commands run as `postgres`, which owns its directory.
std::string AsServerUser(const std::string& command) {
  if (geteuid() != 0) return command;
  return "runuser -u postgres -- " + command;
}

Status Run(const std::string& command) {
  int rc = std::system(command.c_str());
  if (rc != 0) return InternalError("`" + command + "` failed (" + std::to_string(rc) + ")");
  return Status::Ok();
}

std::string Tail(const std::string& path) {
  std::ifstream in(path);
  std::string all((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return all.size() > 2000 ? all.substr(all.size() - 2000) : all;
}

}  // namespace

Result<std::unique_ptr<PostgresServer>> PostgresServer::Start(const std::string& dir) {
  std::string bin = FindBin();
  if (bin.empty())
    return CommandError(
        "PostgreSQL 15 is not installed (no initdb and pg_ctl in $SLUICE_PG_BIN, /usr/lib/postgresql/15/bin or PATH):"
        " run scripts/install-deps (apt-get install postgresql)");
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return IOError(dir + ": " + ec.message());
  if (geteuid() == 0) {
    passwd* pw = getpwnam("postgres");
    if (!pw) return CommandError("no `postgres` user to run PostgreSQL as (root may not): apt-get install postgresql");
    if (chown(dir.c_str(), pw->pw_uid, pw->pw_gid) != 0) return IOError(dir + ": cannot chown to postgres");
  }
  chmod(dir.c_str(), 0755);
  const std::string data = dir + "/data";
  if (Status s = Run(AsServerUser(bin + "/initdb -D " + data + " -U postgres -A trust -E UTF8 --locale=C --no-sync > " +
                                  dir + "/initdb.log 2>&1"));
      !s.ok())
    return InternalError("initdb failed: " + Tail(dir + "/initdb.log"));
  std::unique_ptr<PostgresServer> server(new PostgresServer(dir, bin, 0));
  Status last = Status::Ok();
  for (int attempt = 0; attempt < 5; ++attempt) {  // another process may take the free port first
    server->port_ = FreePort();
    last = server->StartAgain();
    if (last.ok()) return server;
  }
  return last;
}

Status PostgresServer::StartAgain() {
  // fsync off: the data is thrown away. Commits still reach the kernel before they are
  // acknowledged, so a server killed (not the machine) loses nothing acknowledged.
  std::string options = "-p " + std::to_string(port_) + " -k " + dir_ +
                        " -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off -c max_connections=300"
                        " -c shared_buffers=32MB";
  Status s = Run(AsServerUser(bin_ + "/pg_ctl -D " + dir_ + "/data -l " + dir_ + "/server.log -w -t 60 -o '" + options +
                              "' start > /dev/null 2>&1"));
  if (!s.ok()) return InternalError("PostgreSQL did not start: " + Tail(dir_ + "/server.log"));
  running_ = true;
  return Status::Ok();
}

Status PostgresServer::Stop() {
  if (!running_) return Status::Ok();
  running_ = false;
  return Run(AsServerUser(bin_ + "/pg_ctl -D " + dir_ + "/data -m immediate -w stop > /dev/null 2>&1"));
}

Status PostgresServer::Restart() {
  if (Status s = Stop(); !s.ok()) return s;
  return StartAgain();
}

PostgresServer::~PostgresServer() {
  if (detached_) return;
  (void)Stop();
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

Status PostgresServer::StopAt(const std::string& dir) {
  std::error_code ec;
  if (std::filesystem::exists(dir + "/data/postmaster.pid", ec)) {
    std::string bin = FindBin();
    if (!bin.empty()) (void)Run(AsServerUser(bin + "/pg_ctl -D " + dir + "/data -m immediate -w stop > /dev/null 2>&1"));
  }
  std::filesystem::remove_all(dir, ec);
  return Status::Ok();
}

std::string PostgresServer::Url(const std::string& database) const {
  return "postgres://postgres@127.0.0.1:" + std::to_string(port_) + "/" + database;
}

namespace {

// CREATE DATABASE through the maintenance database at `admin_url`; names unique across the
// processes sharing one server (pid, a counter and a random part).
Result<std::string> CreateDatabaseAt(const std::string& admin_url) {
  static std::atomic<int> counter{0};
  static const uint32_t salt = std::random_device{}();
  std::string name = "t" + std::to_string(getpid()) + "_" + std::to_string(salt % 100000) + "_" + std::to_string(++counter);
  PGconn* c = PQconnectdb(admin_url.c_str());
  if (PQstatus(c) != CONNECTION_OK) {
    std::string message = PQerrorMessage(c);
    PQfinish(c);
    return ServiceUnavailable("cannot connect to the test PostgreSQL at " + admin_url + ": " + message, 1);
  }
  PGresult* r = PQexec(c, ("CREATE DATABASE " + name + " TEMPLATE template0 STRATEGY FILE_COPY").c_str());
  bool ok = PQresultStatus(r) == PGRES_COMMAND_OK;
  std::string message = PQerrorMessage(c);
  PQclear(r);
  PQfinish(c);
  if (!ok) return InternalError("CREATE DATABASE " + name + ": " + message);
  std::string base = admin_url.substr(0, admin_url.rfind('/') + 1);
  return base + name;
}

std::mutex shared_mu;
std::unique_ptr<PostgresServer> shared_server;
std::string shared_dir;

// The fixture's server, when ctest started one (postgres_fixture.cc writes its URL to a file).
std::string FixtureUrl() {
  const char* file = std::getenv("SLUICE_TEST_POSTGRES_FILE");
  if (!file) return "";
  std::ifstream in(file);
  std::string url;
  std::getline(in, url);
  return url;
}

}  // namespace

Result<std::string> PostgresServer::CreateDatabase() { return CreateDatabaseAt(Url("postgres")); }

PostgresServer* SharedPostgres::Own() {
  std::lock_guard lock(shared_mu);
  return shared_server.get();
}

Result<std::string> SharedPostgres::NewDatabase() {
  std::string admin = FixtureUrl();
  if (admin.empty()) {
    std::lock_guard lock(shared_mu);
    if (!shared_server) {
      char tmpl[] = "/tmp/sluice-pg-XXXXXX";
      if (!mkdtemp(tmpl)) return IOError("mkdtemp failed");
      shared_dir = tmpl;
      auto server = PostgresServer::Start(shared_dir);
      if (!server.ok()) return server.status();
      shared_server = std::move(*server);
    }
    admin = shared_server->Url("postgres");
  }
  return CreateDatabaseAt(admin);
}

}  // namespace sluice::test
