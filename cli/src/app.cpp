#include "comet/cli/app.h"

#include <fmt/format.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdlib>
#include <iostream>

#include "interrupt_pipe.h"

#include "comet/cli/analyze_command.h"
#include "comet/cli/bench_command.h"
#include "comet/cli/commands.h"
#include "comet/cli/data_command.h"
#include "comet/cli/data_stats_command.h"
#include "comet/cli/error_boundary.h"
#include "comet/cli/exit_codes.h"
#include "comet/cli/paper_command.h"
#include "comet/cli/plot_command.h"
#include "comet/cli/usage_error.h"
#include "comet/engine/runtime_info.h"
#include "comet/sweeps/param_schema.h"
#include "comet/sweeps/sweep_spec.h"
#include "comet/version.h"

namespace comet::cli {

namespace {

// "default: 32", "default: p_k" (the trial's value of that key) or "required".
std::string sweep_key_default(const sweeps::ParamDef& def) {
  if (def.default_value) return "default: " + sweeps::to_display(*def.default_value);
  if (!def.default_from.empty()) return "default: " + def.default_from;
  return "required";
}

// The keys a sweep file may set, for `comet run --help`.
std::string sweep_keys_help() {
  std::string text = "Sweep file keys (top level, or as lists under grid:):\n";
  text += "  name                 the sweep's name (required; letters, digits, _ . -)\n";
  for (const auto& def : sweeps::param_schema()) {
    text += fmt::format("  {:<20} {}; {} ({})", def.name, def.help, def.describe_allowed(),
                        sweep_key_default(def));
    // A scoped key is left out of the trials it does not apply to.
    if (def.scope) text += " (" + def.describe_scope() + ")";
    text += "\n";
  }
  text += fmt::format(
      "Limits: a sweep file of at most {} bytes (1 MiB), at most {} trials; more than {} need "
      "--yes.\n",
      sweeps::kMaxSweepFileBytes, sweeps::kMaxTrials, sweeps::kTrialsWithoutConfirmation);
  text += "See docs/commands/run.md.";
  return text;
}

// Each override with the position of its argument ("argument 3": argv[3]), for messages.
std::vector<sweeps::SweepOverride> overrides_with_positions(const std::vector<std::string>& texts,
                                                            int argc, char** argv) {
  std::vector<sweeps::SweepOverride> overrides;
  int next = 1;
  for (const auto& text : texts) {
    int position = next;
    while (position < argc && text != argv[position]) ++position;
    sweeps::SweepOverride override_arg{.text = text, .origin = ""};
    if (position < argc) {
      override_arg.origin = "argument " + std::to_string(position);
      next = position + 1;
    }
    overrides.push_back(std::move(override_arg));
  }
  return overrides;
}

const std::map<std::string, OutputFormat> kFormats = {
    {"table", OutputFormat::table}, {"csv", OutputFormat::csv}, {"json", OutputFormat::json}};

}  // namespace

int run_app(int argc, char** argv) {
  // A file size limit (ulimit -f) would kill comet with SIGXFSZ mid-write, without a word; with
  // the signal ignored the write fails with EFBIG instead, and the storage error names the file
  // (workers inherit this, and a checkpoint they cannot write stops the run the same way).
  ::signal(SIGXFSZ, SIG_IGN);
  CLI::App app{
      "comet: sweeps of COMET (fixed random routing + k-WTA cap) and its baselines:\n"
      "YAML sweep in, trials trained with LibTorch, curves in SQLite, tables out."};
  app.name("comet");
  app.set_version_flag("--version", fmt::format("comet {} with LibTorch {}", version_string(),
                                                engine::torch_version()));
  app.require_subcommand(1);
  app.footer(
      "Exit codes: 0 ok, 1 some trials failed or diverged, 2 bad input, 3 storage or internal "
      "error, 130 interrupted.\nRun `comet COMMAND --help` for a command's options.");

  RunParams run;
  auto* run_cmd =
      app.add_subcommand("run", "Run a sweep: every trial not yet done in the database");
  run_cmd->add_option("sweep", run.sweep_file, "The sweep file (YAML)")->required();
  std::vector<std::string> run_overrides;
  run_cmd->add_option("overrides", run_overrides,
                      "key=value changes to the sweep, as if its file were edited: a value "
                      "(epochs=2) sets the key for every trial, a list ('width=[100, 200]') "
                      "makes or replaces its grid axis; see docs/commands/run.md");
  run_cmd->add_flag("-y,--yes", run.yes,
                    fmt::format("Run a sweep of more than {} trials (without it such a sweep "
                                "exits 2; --dry-run shows it)",
                                sweeps::kTrialsWithoutConfirmation));
  run_cmd->add_option("--db", run.db, "Results database (created if missing)")
      ->capture_default_str();
  run_cmd
      ->add_option("--devices,--device", run.devices,
                   "Where trials run: auto (every visible GPU, else the CPU), cpu, cuda (every "
                   "GPU), or a list such as cuda:0,cuda:1")
      ->capture_default_str();
  run_cmd
      ->add_option("--jobs-per-device", run.jobs_per_device,
                   "Worker processes per device, each training one trial at a time")
      ->capture_default_str();
  run_cmd->add_option("--data-root", run.data_root,
                      "Folder of the datasets (default: $COMET_DATA, else "
                      "$XDG_CACHE_HOME/comet/data or ~/.cache/comet/data)");
  run_cmd
      ->add_option("--threads", run.threads,
                   "Torch intra-op threads per worker; 1 was measured fastest for batch-32 MLPs "
                   "(see docs/performance.md), 0 gives each CPU worker an even share of the "
                   "cores; CPU workers together never exceed the cores")
      ->capture_default_str();
  run_cmd->add_flag("--dry-run", run.dry_run,
                    "Print each trial and what a run would do (run, resume, skip); load no "
                    "data, write nothing");
  run_cmd
      ->add_option("--rerun", run.rerun,
                   "Run trials again although they have an outcome: failed (failed and "
                   "diverged ones) or all (done ones too)")
      ->check(CLI::IsMember({"none", "failed", "all"}))
      ->capture_default_str();
  bool rerun_failed = false;
  run_cmd->add_flag("--rerun-failed", rerun_failed, "Same as --rerun failed");
  run_cmd
      ->add_option("--max-retries", run.max_retries,
                   "Extra attempts of a trial whose worker died (killed, crashed) or ran out of "
                   "memory")
      ->capture_default_str();
  run_cmd->add_flag("--fail-fast", run.fail_fast,
                    "Stop the sweep at the first trial that ends failed or diverged (exit 1)");
  run_cmd
      ->add_option("--checkpoint-every", run.checkpoint_every,
                   "Epochs between checkpoints in <db>.runs/, from which an interrupted trial "
                   "resumes; 0 writes none")
      ->capture_default_str();
  run_cmd->footer(sweep_keys_help());

  auto* ls_cmd = app.add_subcommand("ls", "List what the database holds");
  ls_cmd->require_subcommand(1);
  LsTrialsParams ls;
  std::string ls_sweep;
  auto* ls_trials = ls_cmd->add_subcommand("trials", "One row per trial: config, status, metrics");
  ls_trials->add_option("--db", ls.db, "Results database")->capture_default_str();
  auto* sweep_opt = ls_trials->add_option("--sweep", ls_sweep, "Only this sweep's trials");
  ls_trials->add_option("--format", ls.format, "Output: table, csv or json")
      ->transform(CLI::CheckedTransformer(kFormats, CLI::ignore_case))
      ->default_str("table");
  ls_trials->add_option("--where", ls.where,
                        "Only trials whose config has key=value (repeatable; all must hold)");
  std::string ls_status;
  auto* status_opt = ls_trials->add_option(
      "--status", ls_status, "Only trials in this state: pending, running, done, failed, diverged");
  LsSweepsParams ls_sweeps;
  auto* ls_sweeps_cmd =
      ls_cmd->add_subcommand("sweeps", "One row per sweep: trial counts by state, file, dates");
  ls_sweeps_cmd->add_option("--db", ls_sweeps.db, "Results database")->capture_default_str();
  ls_sweeps_cmd->add_option("--format", ls_sweeps.format, "Output: table, csv or json")
      ->transform(CLI::CheckedTransformer(kFormats, CLI::ignore_case))
      ->default_str("table");

  // comet show | compare | export: the results, read-only (cli/src/{show,compare,export}_command)
  ShowParams show;
  auto* show_cmd = app.add_subcommand(
      "show", "One trial: config, status, final and best metrics, attempts and their environment");
  show_cmd->add_option("trial", show.trial, "A trial id or a unique prefix of one")->required();
  show_cmd->add_option("--db", show.db, "Results database")->capture_default_str();
  show_cmd->add_option("--format", show.format, "Output: table, csv or json")
      ->transform(CLI::CheckedTransformer(kFormats, CLI::ignore_case))
      ->default_str("table");
  CompareParams compare;
  auto* compare_cmd = app.add_subcommand(
      "compare",
      "Mean ± std over seeds per cell (rows x columns), one column per variant, the "
      "best marked");
  compare_cmd->add_option("sweep", compare.sweep, "The sweep")->required();
  compare_cmd->add_option("--db", compare.db, "Results database")->capture_default_str();
  compare_cmd->add_option("--rows", compare.rows, "Config key of the rows (none: one row)")
      ->capture_default_str();
  compare_cmd->add_option("--cols", compare.cols, "Config key of the columns (none: one)")
      ->capture_default_str();
  compare_cmd->add_option("--by", compare.by, "Config key of the variants compared in a cell")
      ->capture_default_str();
  compare_cmd
      ->add_option("--metric", compare.metric,
                   "<split>_<name> such as val_acc, val_loss, train_loss, or a bare name")
      ->default_str("val_acc; val_loss (MSE) for a regression sweep");
  compare_cmd->add_option("--split", compare.split, "train, val or test (overrides --metric's)");
  compare_cmd
      ->add_option("--agg", compare.agg,
                   "Per trial: best epoch, final epoch, or auc (mean over epochs)")
      ->check(CLI::IsMember({"best", "final", "auc"}))
      ->capture_default_str();
  compare_cmd->add_option("--where", compare.where, "Only trials with key=value (repeatable)");
  compare_cmd->add_option("--format", compare.format, "Output: table, csv or json (long rows)")
      ->transform(CLI::CheckedTransformer(kFormats, CLI::ignore_case))
      ->default_str("table");
  ExportParams export_params;
  auto* export_cmd = app.add_subcommand(
      "export", "A sweep's results as csv or json: one row per trial, or per epoch and metric");
  export_cmd->add_option("sweep", export_params.sweep, "The sweep")->required();
  export_cmd->add_option("--db", export_params.db, "Results database")->capture_default_str();
  export_cmd->add_flag("--curves", export_params.curves,
                       "One row per (trial, epoch, metric) in long format");
  export_cmd->add_option("--where", export_params.where, "Only trials with key=value");
  export_cmd->add_option("--format", export_params.format, "Output: csv, json or table")
      ->transform(CLI::CheckedTransformer(kFormats, CLI::ignore_case))
      ->default_str("csv");

  StatusParams status;
  std::string status_sweep;
  auto* status_cmd = app.add_subcommand(
      "status", "Trials by state, running trials with ETA, failed ones with their errors");
  auto* status_sweep_opt = status_cmd->add_option("sweep", status_sweep, "Only this sweep");
  status_cmd->add_option("--db", status.db, "Results database")->capture_default_str();
  status_cmd->add_option("--format", status.format, "Output: table, csv or json")
      ->transform(CLI::CheckedTransformer(kFormats, CLI::ignore_case))
      ->default_str("table");

  // comet paper list | FIG (cli/src/paper_command.cpp, docs/commands/paper.md)
  auto* paper_cmd = app.add_subcommand(
      "paper", "Regenerate a figure of the paper: run its sweep (resumable) and draw it");
  PaperFigureParams paper;
  std::vector<std::string> paper_overrides;
  paper_cmd->add_option("figure", paper.figure,
                        "The figure: 2, 3, 4, 5-8, 11, 33, 34 (paper list)");
  paper_cmd->add_option("overrides", paper_overrides,
                        "key=value changes to its sweep (as for run)");
  paper_cmd->add_option("--scale", paper.scale, "cpu (a reduced variant) or full (the paper's)")
      ->check(CLI::IsMember({"cpu", "full"}))
      ->capture_default_str();
  paper_cmd->add_option("--db", paper.db, "Results database")->capture_default_str();
  paper_cmd
      ->add_option(
          "--repo", paper.repo,
          "The repository root (where sweeps/paper/ is); default: the current directory, else the "
          "one above the comet binary")
      ->capture_default_str();
  paper_cmd->add_option("--out", paper.out_dir, "Folder of fig<N>.pdf, .png, .svg")
      ->capture_default_str();
  paper_cmd->add_option("--devices,--device", paper.devices, "auto, cpu, cuda, cuda:0,...")
      ->capture_default_str();
  paper_cmd->add_option("--jobs-per-device", paper.jobs_per_device, "Workers per device")
      ->capture_default_str();
  paper_cmd->add_option("--data-root", paper.data_root, "Where datasets are looked for");
  PaperListParams paper_list;
  auto* paper_list_cmd = paper_cmd->add_subcommand(
      "list", "The figures comet regenerates: sweep file, trials, estimated time on this machine");
  paper_list_cmd->add_option("--db", paper_list.db, "Results database (stored epoch times)")
      ->capture_default_str();
  paper_list_cmd->add_option("--repo", paper_list.repo, "The repository root")
      ->capture_default_str();
  paper_list_cmd->add_option("--scale", paper_list.scale, "cpu or full")
      ->check(CLI::IsMember({"cpu", "full"}))
      ->capture_default_str();
  paper_list_cmd
      ->add_option("--jobs-per-device", paper_list.jobs_per_device,
                   "Workers the estimate shares the work among")
      ->capture_default_str();
  PaperReportParams paper_report;
  std::string paper_report_output;
  auto* paper_report_cmd = paper_cmd->add_subcommand(
      "report", "Markdown: per figure the paper's claim, what the database measured, the verdict");
  paper_report_cmd->add_option("--db", paper_report.db, "Results database")->capture_default_str();
  paper_report_cmd->add_option("--repo", paper_report.repo, "The repository root")
      ->capture_default_str();
  paper_report_cmd->add_option("--scale", paper_report.scale, "cpu or full")
      ->check(CLI::IsMember({"cpu", "full"}))
      ->capture_default_str();
  paper_report_cmd->add_option("-o,--output", paper_report_output,
                               "The Markdown file (else stdout)");
  paper_list_cmd->add_option("--format", paper_list.format, "Output: table, csv or json")
      ->transform(CLI::CheckedTransformer(kFormats, CLI::ignore_case))
      ->default_str("table");

  // comet plot grid | curves | bars (cli/src/plot_command.cpp, docs/figures.md)
  auto* plot_cmd = app.add_subcommand("plot", "Figures of a sweep's learning curves (gnuplot)");
  plot_cmd->require_subcommand(1);
  // --script's folder, copied into the params' optional after parsing.
  std::string plot_grid_script, plot_curves_script, plot_bars_script;
  const auto add_plot_options = [](CLI::App* command, PlotOutputParams& common,
                                   std::string& script_dir) {
    command->add_option("sweep", common.sweep, "The sweep")->required();
    command->add_option("-o,--output", common.output, "The figure: .pdf, .png or .svg")->required();
    command->add_option("--db", common.db, "Results database")->capture_default_str();
    command
        ->add_option("--metric", common.metric,
                     "val_acc, val_loss, train_acc, train_loss, test_acc, test_loss; language "
                     "models: val_ppl, train_ppl, test_ppl")
        ->default_str("val_acc; val_loss (MSE) for a regression sweep");
    command->add_option("--script", script_dir,
                        "Also keep figure.gp and its .dat files in this folder (rerun: gnuplot "
                        "figure.gp)");
  };
  PlotGridParams plot_grid;
  auto* plot_grid_cmd = plot_cmd->add_subcommand(
      "grid",
      "One panel per (row, column) value, one colour per model: min..max band over "
      "seeds and its midpoint (paper Fig. 4)");
  add_plot_options(plot_grid_cmd, plot_grid.common, plot_grid_script);
  plot_grid_cmd->add_option("--rows", plot_grid.rows, "Config key of the panel rows")
      ->capture_default_str();
  plot_grid_cmd->add_option("--cols", plot_grid.cols, "Config key of the panel columns")
      ->capture_default_str();
  plot_grid_cmd->add_option("--by", plot_grid.by, "Config key of the colours")
      ->capture_default_str();
  PlotCurvesParams plot_curves;
  auto* plot_curves_cmd = plot_cmd->add_subcommand(
      "curves", "One line per selected trial, labelled by its grid values");
  add_plot_options(plot_curves_cmd, plot_curves.common, plot_curves_script);
  plot_curves_cmd->add_option("--where", plot_curves.where,
                              "Only trials whose config has key=value, compared as displayed "
                              "(repeatable; all must hold)");
  plot_curves_cmd
      ->add_option("--x", plot_curves.x,
                   "The x axis: epoch, or for language models step or tokens (Figs. 9-10)")
      ->check(CLI::IsMember({"epoch", "step", "tokens"}))
      ->capture_default_str();
  plot_curves_cmd->add_flag("--log-y", plot_curves.log_y, "A logarithmic y axis");
  PlotBarsParams plot_bars;
  auto* plot_bars_cmd = plot_cmd->add_subcommand(
      "bars",
      "One bar per model: mean over seeds, min..max error bar, parameter counts (paper "
      "Figs. 5-10)");
  add_plot_options(plot_bars_cmd, plot_bars.common, plot_bars_script);
  plot_bars_cmd
      ->add_option("--agg", plot_bars.aggregate,
                   "Per trial: best epoch (max accuracy, min loss) or final epoch")
      ->check(CLI::IsMember({"best", "final"}))
      ->capture_default_str();
  plot_bars_cmd->add_option("--by", plot_bars.by, "Config key of the bars")->capture_default_str();
  plot_bars_cmd->add_option("--group", plot_bars.group,
                            "Cluster the bars by this config key's values (e.g. width: the "
                            "model sizes of Figs. 5-8)");
  plot_bars_cmd->add_option("--where", plot_bars.where,
                            "Only trials whose config has key=value (repeatable)");

  // comet data ls | verify | get (cli/src/data_command.cpp, docs/commands/data.md)
  auto* data_cmd = app.add_subcommand("data", "Datasets: files on disk, checksums, downloads");
  data_cmd->require_subcommand(1);
  const std::string data_root_help =
      "Folder of the datasets (default: $COMET_DATA, else $XDG_CACHE_HOME/comet/data or "
      "~/.cache/comet/data)";
  DataLsParams data_ls;
  auto* data_ls_cmd =
      data_cmd->add_subcommand("ls", "One row per dataset: files present, verified, where found");
  data_ls_cmd->add_option("--data-root", data_ls.data_root, data_root_help);
  data_ls_cmd->add_option("--format", data_ls.format, "Output: table, csv or json")
      ->transform(CLI::CheckedTransformer(kFormats, CLI::ignore_case))
      ->default_str("table");
  DataVerifyParams data_verify;
  auto* data_verify_cmd = data_cmd->add_subcommand(
      "verify", "MD5 of a dataset's files against the published checksums (exit 2 on a mismatch)");
  data_verify_cmd->add_option("name", data_verify.name, "The dataset, e.g. cifar10")->required();
  data_verify_cmd->add_option("--data-root", data_verify.data_root, data_root_help);
  DataGetParams data_get;
  auto* data_get_cmd = data_cmd->add_subcommand(
      "get", "Download, check and unpack a dataset from its publisher into the data root");
  data_get_cmd->add_option("name", data_get.name, "The dataset, e.g. cifar10")->required();
  data_get_cmd->add_option("--data-root", data_get.data_root, data_root_help);
  data_get_cmd->add_option("--mirror", data_get.mirror,
                           "Fetch <URL>/<file name> instead of the publisher's URL");

  DataTokenizeParams data_tokenize;
  auto* data_tokenize_cmd = data_cmd->add_subcommand(
      "tokenize", "A file's token ids and their count (the GPT-2 tokenizer, docs/tokenizer.md)");
  data_tokenize_cmd->add_option("file", data_tokenize.file, "The text file")->required();
  data_tokenize_cmd->add_option("--tokenizer", data_tokenize.tokenizer, "The tokenizer")
      ->capture_default_str();
  data_tokenize_cmd->add_option("--format", data_tokenize.format, "Output: text or json")
      ->capture_default_str();
  data_tokenize_cmd->add_option("--data-root", data_tokenize.data_root, data_root_help);
  DataStatsParams data_stats;
  std::vector<std::string> data_stats_options;
  auto* data_stats_cmd = data_cmd->add_subcommand(
      "stats",
      "A text corpus's blocks and tokens per split and its unigram perplexity (the bar a "
      "language model must beat)");
  data_stats_cmd->add_option("name", data_stats.name, "The corpus: python_stdlib, wikitext2, ...")
      ->required();
  data_stats_cmd->add_option("--block-size", data_stats.block_size, "Tokens per block")
      ->capture_default_str();
  data_stats_cmd->add_option("--option", data_stats_options,
                             "The corpus's options as KEY=VALUE (text: file=..., field=...)");
  data_stats_cmd->add_option("--data-root", data_stats.data_root, data_root_help);
  data_stats_cmd->add_option("--format", data_stats.format, "Output: table, csv or json")
      ->transform(CLI::CheckedTransformer(kFormats, CLI::ignore_case))
      ->default_str("table");

  // comet bench (cli/src/bench_command.cpp, docs/commands/bench.md)
  BenchParams bench;
  auto* bench_cmd = app.add_subcommand(
      "bench",
      "Measure comet against the authors' training loop (peer_loop.py; with --arch vit|mixer "
      "the PyTorch ViT / MLP-Mixer of peer_vit.py), the GEMM peak, and the cost of 10,000 "
      "trivial trials; see docs/performance.md");
  bench_cmd->add_option("--peer", bench.peer, "The peer script ('' skips the peer)")
      ->capture_default_str();
  bench_cmd->add_option("--python", bench.python, "The Python that runs the peer")
      ->capture_default_str();
  bench_cmd->add_option("--device", bench.device, "comet's device: cpu or cuda:N")
      ->capture_default_str();
  bench_cmd
      ->add_option("--arch", bench.arch,
                   "mlp (against peer_loop.py), vit or mixer (peer_vit.py), gpt2 (peer_gpt.py)")
      ->check(CLI::IsMember({"mlp", "vit", "mixer"}))
      ->capture_default_str();
  bench_cmd->add_option("--model", bench.model, "vit, mixer, gpt2: comet or standard")
      ->check(CLI::IsMember({"comet", "standard"}))
      ->capture_default_str();
  bench_cmd->add_option("--dim", bench.dim, "vit, mixer, gpt2: token dimension (gpt2: n_embd)")
      ->capture_default_str();
  bench_cmd->add_option("--depth", bench.depth, "vit, mixer, gpt2: blocks (layers)")
      ->capture_default_str();
  bench_cmd->add_option("--heads", bench.heads, "vit, gpt2: attention heads")
      ->capture_default_str();
  bench_cmd->add_option("--dim-head", bench.dim_head, "vit: dimension per head")
      ->capture_default_str();
  bench_cmd->add_option("--patch", bench.patch, "vit, mixer: patch side")->capture_default_str();
  bench_cmd->add_option("--block", bench.block, "gpt2: tokens per block")->capture_default_str();
  bench_cmd->add_option("--grad-accum", bench.grad_accum, "gpt2: micro-batches per step")
      ->capture_default_str();
  bench_cmd->add_option("--steps", bench.steps, "gpt2: optimizer steps per run")
      ->capture_default_str();
  bench_cmd->add_option("--corpus", bench.corpus, "gpt2: comet's training corpus (a dataset)")
      ->capture_default_str();
  bench_cmd
      ->add_option("--threads", bench.threads,
                   "vit, mixer: torch threads of the peer and of comet's worker; 0: every core")
      ->capture_default_str();
  bench_cmd
      ->add_option("--width", bench.width,
                   "Hidden units per layer (mlp) or per block MLP; 0: 1000 for mlp, 128 "
                   "otherwise")
      ->capture_default_str();
  bench_cmd->add_option("--p-k", bench.p_k, "Fraction of units kept")->capture_default_str();
  bench_cmd->add_option("--batch", bench.batches, "Batch sizes, each measured")
      ->delimiter(',')
      ->capture_default_str();
  bench_cmd->add_option("--limit", bench.limit, "Fashion-MNIST training images used")
      ->capture_default_str();
  bench_cmd->add_option("--epochs", bench.epochs, "Epochs per run")->capture_default_str();
  bench_cmd->add_option("--repetitions", bench.repetitions, "Runs of each, alternating")
      ->capture_default_str();
  bench_cmd->add_option("--gemm-size", bench.gemm_size, "n of the n x n x n GEMM probe")
      ->capture_default_str();
  bench_cmd->add_option("--trials", bench.overhead_trials, "Trivial trials (0 skips)")
      ->capture_default_str();
  bench_cmd->add_flag("--ablation", bench.ablation,
                      "Also run comet without the fused SGD step, and without cached masks too");
  bench_cmd->add_option("--json", bench.json, "Also write the results here as JSON");
  bench_cmd->add_option("--work-dir", bench.work_dir, "Keep the scratch databases here");
  bench_cmd->add_option("--data-root", bench.data_root, data_root_help);

  // comet analyze routing | utilization (cli/src/analyze_command.cpp, docs/analyses.md)
  auto* analyze_cmd =
      app.add_subcommand("analyze", "The paper's section 4.1 analyses of random COMET networks");
  analyze_cmd->require_subcommand(1);
  std::string analyze_routing_output, analyze_routing_script, analyze_util_output,
      analyze_util_script;
  const auto add_analyze_options = [](CLI::App* command, AnalyzeOutputParams& common,
                                      std::string& output, std::string& script_dir) {
    command->add_option("-o,--output", output, "Also draw the figure: .pdf, .png or .svg");
    command->add_option("--db", common.db, "Results database the analysis is stored in")
        ->capture_default_str();
    command->add_option("--seed", common.seed, "Seed of the inputs and networks")
        ->capture_default_str();
    command->add_option("--script", script_dir,
                        "Also keep figure.gp and its .dat files in this folder");
    command->add_option("--format", common.format, "Output: table, csv or json")
        ->transform(CLI::CheckedTransformer(kFormats, CLI::ignore_case))
        ->default_str("table");
  };
  AnalyzeRoutingParams analyze_routing;
  auto* analyze_routing_cmd = analyze_cmd->add_subcommand(
      "routing",
      "Paper Fig. 2: input similarity vs mask overlap and vs masked-activation similarity, "
      "Spearman rank correlation per p_k");
  add_analyze_options(analyze_routing_cmd, analyze_routing.common, analyze_routing_output,
                      analyze_routing_script);
  analyze_routing_cmd->add_option("--pairs", analyze_routing.pairs, "Random input pairs")
      ->capture_default_str();
  analyze_routing_cmd
      ->add_option("--nets", analyze_routing.nets, "Random COMET networks averaged per pair")
      ->capture_default_str();
  analyze_routing_cmd->add_option("--layers", analyze_routing.layers, "Hidden layers per network")
      ->capture_default_str();
  analyze_routing_cmd->add_option("--width", analyze_routing.width, "Units per hidden layer")
      ->capture_default_str();
  analyze_routing_cmd->add_option("--input-dim", analyze_routing.input_dim, "Input length")
      ->capture_default_str();
  analyze_routing_cmd
      ->add_option("--p-k", analyze_routing.p_k,
                   "Fractions of units kept, comma-separated, each in (0, 1]; 1 is the plain MLP")
      ->capture_default_str();
  analyze_routing_cmd->add_option("--activation", analyze_routing.activation, "Backbone activation")
      ->capture_default_str();
  AnalyzeUtilizationParams analyze_util;
  auto* analyze_util_cmd = analyze_cmd->add_subcommand(
      "utilization",
      "Paper Fig. 3: per-unit utilisation of random 4-layer COMET MLPs over a dataset, share of "
      "never-active units");
  add_analyze_options(analyze_util_cmd, analyze_util.common, analyze_util_output,
                      analyze_util_script);
  analyze_util_cmd->add_option("--dataset", analyze_util.dataset, "The dataset")
      ->capture_default_str();
  analyze_util_cmd->add_option("--data-root", analyze_util.data_root, data_root_help);
  analyze_util_cmd->add_option("--models", analyze_util.models, "Random networks")
      ->capture_default_str();
  analyze_util_cmd
      ->add_option("--examples", analyze_util.examples,
                   "The first N examples of the training file (0: all of it)")
      ->capture_default_str();
  analyze_util_cmd
      ->add_option("--widths", analyze_util.widths,
                   "per_model: one width N for every hidden layer; per_layer: N_l drawn for each")
      ->capture_default_str();
  analyze_util_cmd
      ->add_option("--sparsity", analyze_util.sparsity,
                   "LO,HI: the range of 1 - p_k, drawn uniformly (the paper: 0.05,1)")
      ->delimiter(',')
      ->expected(2)
      ->capture_default_str();
  analyze_util_cmd
      ->add_option("--examples-from", analyze_util.examples_from,
                   "train: the training file; test: the test split; all: both")
      ->capture_default_str();
  analyze_util_cmd->add_flag(
      "--standardize", analyze_util.standardize,
      "Standardise each input feature over the examples first (not the paper's setup: a test of "
      "how much a constant input component, such as a plain background, matters)");

  // comet serve (cli/src/serve_command.cpp, docs/serve.md)
  ServeParams serve;
  auto* serve_cmd = app.add_subcommand(
      "serve", "A live web page and JSON API over the database (read-only; docs/serve.md)");
  serve_cmd->add_option("--db", serve.db, "Results database")->capture_default_str();
  serve_cmd
      ->add_option("--host", serve.host,
                   "Address to listen on; another than loopback prints a warning")
      ->capture_default_str();
  serve_cmd->add_option("--port", serve.port, "Port (0: any free port)")->capture_default_str();

  // `comet run` starts its workers as `comet worker`; not for people, hence no help group.
  auto* worker_cmd = app.add_subcommand("worker", "Serve a scheduler's trials (internal)");
  worker_cmd->group("");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? kExitOk : kExitBadInput;
  }

  if (worker_cmd->parsed()) return worker_command();
  if (run_cmd->parsed()) {
    if (rerun_failed) run.rerun = "failed";
    run.overrides = overrides_with_positions(run_overrides, argc, argv);
    run.progress_is_terminal = isatty(STDERR_FILENO) != 0;
    run.color = run.progress_is_terminal && std::getenv("NO_COLOR") == nullptr;
    if (winsize size{}; run.progress_is_terminal &&
                        ::ioctl(STDERR_FILENO, TIOCGWINSZ, &size) == 0 && size.ws_col > 20) {
      run.columns = size.ws_col - 1;
    }
    if (!run.dry_run) {
      return run_guarded(
          [&] {
            InterruptPipe interrupts;
            run.interrupt_fd = interrupts.read_fd();
            return run_command(run, std::cout, std::cerr);
          },
          std::cerr);
    }
    return run_guarded([&] { return run_command(run, std::cout, std::cerr); }, std::cerr);
  }
  if (paper_report_cmd->parsed()) {
    if (!paper_report_output.empty()) paper_report.output = paper_report_output;
    return run_guarded([&] { return paper_report_command(paper_report, std::cout); }, std::cerr);
  }
  if (paper_list_cmd->parsed()) {
    return run_guarded([&] { return paper_list_command(paper_list, std::cout); }, std::cerr);
  }
  if (paper_cmd->parsed()) {
    if (paper.figure.empty()) {
      std::cerr << "comet paper: name a figure (comet paper list shows them)\n";
      return kExitBadInput;
    }
    paper.overrides = overrides_with_positions(paper_overrides, argc, argv);
    return run_guarded(
        [&] {
          InterruptPipe interrupts;
          paper.interrupt_fd = interrupts.read_fd();
          return paper_figure_command(paper, std::cout, std::cerr);
        },
        std::cerr);
  }
  if (ls_trials->parsed()) {
    if (*sweep_opt) ls.sweep = ls_sweep;
    if (*status_opt) ls.status = ls_status;
    return run_guarded([&] { return ls_trials_command(ls, std::cout); }, std::cerr);
  }
  if (ls_sweeps_cmd->parsed()) {
    return run_guarded([&] { return ls_sweeps_command(ls_sweeps, std::cout); }, std::cerr);
  }
  if (show_cmd->parsed()) {
    return run_guarded([&] { return show_command(show, std::cout); }, std::cerr);
  }
  if (compare_cmd->parsed()) {
    return run_guarded([&] { return compare_command(compare, std::cout); }, std::cerr);
  }
  if (export_cmd->parsed()) {
    return run_guarded([&] { return export_command(export_params, std::cout); }, std::cerr);
  }
  if (status_cmd->parsed()) {
    if (*status_sweep_opt) status.sweep = status_sweep;
    return run_guarded([&] { return status_command(status, std::cout); }, std::cerr);
  }
  if (serve_cmd->parsed()) {
    return run_guarded(
        [&] {
          InterruptPipe interrupts;  // SIGINT and SIGTERM stop the server: exit 0
          serve.stop_fd = interrupts.read_fd();
          return serve_command(serve, std::cout, std::cerr);
        },
        std::cerr);
  }
  if (plot_grid_cmd->parsed()) {
    if (!plot_grid_script.empty()) plot_grid.common.script_dir = plot_grid_script;
    return run_guarded([&] { return plot_grid_command(plot_grid, std::cout); }, std::cerr);
  }
  if (plot_curves_cmd->parsed()) {
    if (!plot_curves_script.empty()) plot_curves.common.script_dir = plot_curves_script;
    return run_guarded([&] { return plot_curves_command(plot_curves, std::cout); }, std::cerr);
  }
  if (plot_bars_cmd->parsed()) {
    if (!plot_bars_script.empty()) plot_bars.common.script_dir = plot_bars_script;
    return run_guarded([&] { return plot_bars_command(plot_bars, std::cout); }, std::cerr);
  }
  if (data_ls_cmd->parsed()) {
    return run_guarded([&] { return data_ls_command(data_ls, std::cout); }, std::cerr);
  }
  if (data_verify_cmd->parsed()) {
    return run_guarded([&] { return data_verify_command(data_verify, std::cout); }, std::cerr);
  }
  if (data_get_cmd->parsed()) {
    data_get.progress_is_terminal = isatty(STDERR_FILENO) != 0;
    return run_guarded([&] { return data_get_command(data_get, std::cout, std::cerr); }, std::cerr);
  }
  if (data_stats_cmd->parsed()) {
    return run_guarded(
        [&] {
          for (const auto& option : data_stats_options) {
            const auto eq = option.find('=');
            if (eq == std::string::npos || eq == 0) {
              throw UsageError("--option '" + option + "' is not allowed; allowed: KEY=VALUE");
            }
            data_stats.options[option.substr(0, eq)] = option.substr(eq + 1);
          }
          return data_stats_command(data_stats, std::cout, std::cerr);
        },
        std::cerr);
  }
  if (data_tokenize_cmd->parsed()) {
    return run_guarded([&] { return data_tokenize_command(data_tokenize, std::cout, std::cerr); },
                       std::cerr);
  }
  if (bench_cmd->parsed()) {
    return run_guarded([&] { return bench_command(bench, std::cout, std::cerr); }, std::cerr);
  }
  if (analyze_routing_cmd->parsed()) {
    if (!analyze_routing_output.empty()) analyze_routing.common.output = analyze_routing_output;
    if (!analyze_routing_script.empty()) {
      analyze_routing.common.script_dir = analyze_routing_script;
    }
    return run_guarded(
        [&] { return analyze_routing_command(analyze_routing, std::cout, std::cerr); }, std::cerr);
  }
  if (analyze_util_cmd->parsed()) {
    if (!analyze_util_output.empty()) analyze_util.common.output = analyze_util_output;
    if (!analyze_util_script.empty()) analyze_util.common.script_dir = analyze_util_script;
    return run_guarded(
        [&] { return analyze_utilization_command(analyze_util, std::cout, std::cerr); }, std::cerr);
  }
  return kExitBadInput;  // require_subcommand makes this unreachable
}

}  // namespace comet::cli
