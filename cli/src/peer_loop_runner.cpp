#include "peer_loop_runner.h"

#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <deque>
#include <nlohmann/json.hpp>

#include "comet/cli/bench_command.h"

namespace comet::cli {

std::string shell_quoted(const std::string& text) {
  std::string out = "'";
  for (char c : text) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

PeerResult parse_peer_summary(const std::string& line) {
  const auto json = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
  // peer_loop.py and peer_vit.py report seconds per epoch, peer_gpt.py tokens per second.
  auto number = [&](const char* key) { return json.contains(key) && json[key].is_number(); };
  if (!json.is_object() || !json.value("summary", false) ||
      !(number("seconds_per_epoch") || number("tokens_per_second"))) {
    throw BenchError("not a peer summary line: " + line);
  }
  PeerResult r;
  r.seconds_per_epoch = json.value("seconds_per_epoch", 0.0);
  r.tokens_per_second = json.value("tokens_per_second", 0.0);
  r.trainable_params = json.value("trainable_params", std::int64_t{0});
  r.device = json.value("device", "");
  r.torch = json.value("torch", "");
  r.train_examples = json.value("train_examples", std::int64_t{0});
  return r;
}

PeerResult run_peer(const PeerConfig& c) {
  return run_peer_script(c.python, c.script,
                         {"--width", std::to_string(c.width), "--rate", std::to_string(c.p_k),
                          "--batch", std::to_string(c.batch), "--limit", std::to_string(c.limit),
                          "--epochs", std::to_string(c.epochs)});
}

PeerResult run_peer_script(const std::string& python, const std::filesystem::path& script,
                           const std::vector<std::string>& arguments) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(script, ec)) {
    throw BenchError("peer script " + script.string() + " not found; pass --peer PATH/" +
                     script.filename().string() + ", or --peer '' to skip the peer");
  }
  // Appended piece by piece: GCC 12 warns falsely (-Wrestrict) on `" " + std::string` here.
  std::string command = shell_quoted(python);
  command += ' ';
  command += shell_quoted(script.string());
  for (const auto& argument : arguments) {
    command += ' ';
    command += shell_quoted(argument);
  }
  command.append(" 2>&1");
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) throw BenchError("cannot start the peer: " + command);
  std::deque<std::string> last_lines;  // for the message when it fails
  std::string line, summary;
  std::array<char, 4096> buffer{};
  while (std::fgets(buffer.data(), static_cast<int>(buffer.size()), pipe) != nullptr) {
    line += buffer.data();
    if (line.empty() || line.back() != '\n') continue;
    line.pop_back();
    if (line.find("\"summary\": true") != std::string::npos) summary = line;
    last_lines.push_back(line);
    if (last_lines.size() > 8) last_lines.pop_front();
    line.clear();
  }
  const int status = ::pclose(pipe);
  if (status != 0 || summary.empty()) {
    std::string tail;
    for (const auto& l : last_lines) tail += "\n  " + l;
    const int code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    throw BenchError("the peer failed (exit " + std::to_string(code) + "): " + command +
                     (tail.empty() ? "" : "; its last output:" + tail));
  }
  return parse_peer_summary(summary);
}

}  // namespace comet::cli
