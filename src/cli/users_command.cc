#include "cli/users_command.h"

#include <termios.h>
#include <unistd.h>

#include <cstdio>

#include "access/passwords.h"
#include "core/json_writer.h"

namespace sluice::cli {

namespace {

// The first line of standard input, its line end ("\n" or "\r\n") removed. Reads at most one
// byte past kMaxPasswordBytes (enough for CheckPassword to refuse it), so that a stream with no
// newline is never read whole. On a terminal: a prompt on stderr, and echo off while typing.
std::string ReadPasswordLine() {
  termios saved{};
  const bool terminal = isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &saved) == 0;
  if (terminal) {
    std::fputs("password: ", stderr);
    std::fflush(stderr);
    termios quiet = saved;
    quiet.c_lflag &= ~tcflag_t(ECHO);
    tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
  }
  std::string line;
  for (int ch; line.size() <= kMaxPasswordBytes && (ch = std::getchar()) != EOF && ch != '\n';)
    line.push_back(char(ch));
  if (line.ends_with('\r')) line.pop_back();
  if (terminal) {
    tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved);
    std::fputs("\n", stderr);
  }
  return line;
}

}  // namespace

std::unique_ptr<UsersCommand> AddUsersCommand(CLI::App& app, Common& common) {
  auto owned = std::make_unique<UsersCommand>();
  UsersCommand& c = *owned;
  c.users = app.add_subcommand("users", "manage platform accounts");
  c.users->require_subcommand(1);
  c.set_password = c.users->add_subcommand(
      "set-password", "set an account's sign-in password, read from standard input (one line; not echoed on a terminal)");
  AddCommon(c.set_password, common);
  c.set_password->add_option("--username", c.username, "the account's username (case-insensitive)")->required();
  return owned;
}

int RunUsersCommand(UsersCommand& c, Store& store) {
  const std::string password = ReadPasswordLine();
  auto user = SetAccountPassword(store, SystemClock::Instance(), c.username, password);
  if (!user.ok()) return Fail(user.status());
  JsonWriter w;
  w.BeginObject();
  w.MemberId("user_id", user->id);
  w.Member("username", user->username);
  w.MemberBool("password_set", true);
  w.EndObject();
  std::printf("%s\n", w.str().c_str());
  return 0;
}

}  // namespace sluice::cli
