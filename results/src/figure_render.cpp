// Running gnuplot on a figure's script: a private folder beside the output, an argument vector
// (never a shell), and a rename onto the output only after gnuplot succeeded.

#include <fcntl.h>
#include <fmt/format.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstring>
#include <fstream>
#include <sstream>

#include "comet/results/figures.h"

extern char** environ;

namespace comet::results {
namespace {

namespace fs = std::filesystem;

// A folder that is removed with everything in it when the figure is done or failed.
class WorkFolder {
 public:
  explicit WorkFolder(const fs::path& parent) {
    // Beside the output, so the final rename stays on one file system (atomic).
    std::string pattern = (parent / ".comet-plot-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) {
      throw FigureError(fmt::format("cannot create a temporary folder in '{}': {}", parent.string(),
                                    std::strerror(errno)));
    }
    // Absolute: gnuplot is started in this folder, after which a relative path would not
    // resolve (its stderr file is opened after the chdir).
    path_ = fs::absolute(pattern);
  }
  WorkFolder(const WorkFolder&) = delete;
  WorkFolder& operator=(const WorkFolder&) = delete;
  ~WorkFolder() {
    std::error_code ignored;
    fs::remove_all(path_, ignored);
  }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

void write_file(const fs::path& path, const std::string& contents) {
  std::ofstream out(path, std::ios::binary);
  out << contents;
  out.close();
  if (!out) throw FigureError(fmt::format("cannot write '{}'", path.string()));
}

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// The terminal for the format at the job's size; noenhanced so config text (p_k, a_b) is shown
// as written instead of as sub/superscript markup.
std::string terminal_line(FigureFormat format, const GnuplotJob& job) {
  // Raster and SVG sizes are pixels: 100 per inch keeps the fonts of the PDF in proportion.
  const auto pixels = [](double inches) { return static_cast<int>(std::lround(inches * 100)); };
  switch (format) {
    case FigureFormat::pdf:
      return fmt::format("set terminal pdfcairo noenhanced size {}in,{}in font \"sans,9\"",
                         job.width_inches, job.height_inches);
    case FigureFormat::png:
      return fmt::format("set terminal pngcairo noenhanced size {},{} font \"sans,10\"",
                         pixels(job.width_inches), pixels(job.height_inches));
    case FigureFormat::svg:
      return fmt::format(
          "set terminal svg noenhanced size {},{} font \"sans,10\" background "
          "\"white\"",
          pixels(job.width_inches), pixels(job.height_inches));
  }
  return "";
}

// Runs `gnuplot figure.gp` in `folder`; stdout is discarded, stderr kept for the message.
void run_gnuplot(const std::string& program, const fs::path& folder) {
  const std::string command = program + " figure.gp";
  const fs::path stderr_path = folder / "gnuplot.stderr";
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addchdir_np(&actions, folder.c_str());
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, stderr_path.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0600);
  std::string program_arg = program, script_arg = "figure.gp";
  char* argv[] = {program_arg.data(), script_arg.data(), nullptr};
  pid_t pid = 0;
  const int spawn_error = posix_spawnp(&pid, program.c_str(), &actions, nullptr, argv, environ);
  posix_spawn_file_actions_destroy(&actions);
  if (spawn_error != 0) {
    throw GnuplotError(
        fmt::format("cannot run `{}`: {}; figures need gnuplot (Debian: apt-get "
                    "install gnuplot-nox)",
                    command, std::strerror(spawn_error)));
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) {
      throw GnuplotError(fmt::format("waiting for `{}`: {}", command, std::strerror(errno)));
    }
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return;
  std::string stderr_text = read_file(stderr_path);
  while (!stderr_text.empty() && std::isspace(static_cast<unsigned char>(stderr_text.back()))) {
    stderr_text.pop_back();
  }
  const std::string how = WIFEXITED(status)
                              ? fmt::format("exited with {}", WEXITSTATUS(status))
                              : fmt::format("was killed by signal {}", WTERMSIG(status));
  throw GnuplotError(fmt::format("`{}` {}{}{}", command, how,
                                 stderr_text.empty() ? "" : "; its stderr:\n", stderr_text));
}

}  // namespace

void render_figure(const GnuplotJob& job, const RenderOptions& options) {
  const FigureFormat format = figure_format_of(options.output);
  const fs::path parent =
      options.output.parent_path().empty() ? fs::path(".") : options.output.parent_path();
  if (!fs::is_directory(parent)) {
    throw FigureError(
        fmt::format("the folder of the output '{}' does not exist", options.output.string()));
  }
  const std::string figure_name = options.output.filename().string();
  const std::string script =
      "# Written by `comet plot`; rerun with `gnuplot figure.gp` in this folder.\n" +
      terminal_line(format, job) + "\nset output " + gnuplot_string(figure_name) + "\n" +
      job.script + "unset output\n";

  WorkFolder work(parent);
  for (const auto& [name, contents] : job.data_files) write_file(work.path() / name, contents);
  write_file(work.path() / "figure.gp", script);
  run_gnuplot(options.gnuplot, work.path());
  const fs::path drawn = work.path() / figure_name;
  if (!fs::exists(drawn) || fs::file_size(drawn) == 0) {
    throw GnuplotError(
        fmt::format("`{} figure.gp` succeeded but wrote no '{}'", options.gnuplot, figure_name));
  }
  if (options.script_dir) {
    fs::create_directories(*options.script_dir);
    fs::copy_file(work.path() / "figure.gp", *options.script_dir / "figure.gp",
                  fs::copy_options::overwrite_existing);
    for (const auto& entry : job.data_files) {
      fs::copy_file(work.path() / entry.first, *options.script_dir / entry.first,
                    fs::copy_options::overwrite_existing);
    }
  }
  fs::rename(drawn, options.output);
}

}  // namespace comet::results
