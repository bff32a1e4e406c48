// The CTest fixture around the tests that need PostgreSQL (tests/support/CMakeLists.txt):
//   postgres_fixture start DIR   starts a server in DIR (a leftover one there is stopped
//                                first) and writes its maintenance URL to DIR.url
//   postgres_fixture stop DIR    stops it and removes DIR and DIR.url
// Tests read DIR.url through $SLUICE_TEST_POSTGRES_FILE (postgres_server.h, SharedPostgres).
#include <cstdio>
#include <fstream>
#include <string>

#include "support/postgres_server.h"

int main(int argc, char** argv) {
  using sluice::test::PostgresServer;
  if (argc != 3 || (std::string(argv[1]) != "start" && std::string(argv[1]) != "stop")) {
    std::fprintf(stderr, "usage: postgres_fixture start|stop DIR\n");
    return 2;
  }
  const std::string dir = argv[2];
  (void)PostgresServer::StopAt(dir);
  std::remove((dir + ".url").c_str());
  if (std::string(argv[1]) == "stop") return 0;
  auto server = PostgresServer::Start(dir);
  if (!server.ok()) {
    std::fprintf(stderr, "postgres_fixture: %s\n", server.status().message().c_str());
    return 1;
  }
  (*server)->Detach();
  std::ofstream(dir + ".url") << (*server)->Url("postgres") << "\n";
  std::printf("PostgreSQL for the tests at %s\n", (*server)->Url("postgres").c_str());
  return 0;
}
