// The figures of the COMET paper (arXiv 2410.08003) that comet regenerates: one row each, in the
// paper's order. Claims: /work/shared/paper/DIGEST.md's "Claimed results" and each experiment's
// numbers; sweep files and their reduced variants: sweeps/paper/README.md.

#include <fmt/format.h>

#include <algorithm>

#include "comet/cli/paper_command.h"
#include "comet/cli/usage_error.h"

namespace comet::cli {
namespace {

// Figs. 5-8: ViT and MLP-Mixer bars of best test accuracy per size, as the paper's panels.
std::vector<FigurePanel> vision_panels() {
  return {FigurePanel{"_vit", "test_acc", {"arch=vit"}, "model", "width"},
          FigurePanel{"_mixer", "test_acc", {"arch=mixer"}, "model", "dim"}};
}

PaperFigure vision_figure(std::string figure, std::string dataset, std::string file) {
  return PaperFigure{
      std::move(figure),
      "ViT and MLP-Mixer (depth 6, MLP 512/3072/6144) on " + dataset +
          ", standard vs comet p_k 0.5",
      "COMET's test accuracy gain over standard grows with the MLP's size (up to +9 % for ViT "
      "large on CIFAR-100)",
      FigureKind::bars,
      "sweeps/paper/" + std::move(file),
      "sweeps/paper/figs5-8_fashion_mnist.yaml",
      vision_panels()};
}

std::vector<PaperFigure> make_figures() {
  return {
      {"2",
       "routing: input similarity vs mask overlap (a) and masked-activation similarity (b)",
       "similar inputs get overlapping masks: overlap rises with input similarity, more so the "
       "sparser the cap",
       FigureKind::routing,
       "",
       "",
       {FigurePanel{}}},
      {"3",
       "utilisation of the units of 1000 random 4-layer COMET MLPs",
       "7.6e-4 % of units are never active, and fewer than 2 % of models have any",
       FigureKind::utilization,
       "",
       "",
       {FigurePanel{}}},
      {"4",
       "4-layer MLP, 11 models x width x p_k, SGD (section 4.2.1)",
       "standard wins at low capacity; COMET wins as width grows",
       FigureKind::grid,
       "sweeps/paper/fig4_cifar10.yaml",
       "sweeps/paper/fig4_fashion_mnist.yaml",
       {FigurePanel{}}},
      vision_figure("5", "SVHN", "fig5_svhn_vision.yaml"),
      vision_figure("6", "CIFAR-10", "fig6_cifar10_vision.yaml"),
      vision_figure("7", "CIFAR-100", "fig7_cifar100_vision.yaml"),
      vision_figure("8", "Tiny ImageNet", "fig8_tiny_imagenet_vision.yaml"),
      {"11",
       "as Fig. 4 with a 10x larger learning rate (A.2)",
       "COMET tolerates larger learning rates: its lead over standard holds or grows",
       FigureKind::grid,
       "sweeps/paper/fig11_cifar10_lr1e-3.yaml",
       "sweeps/paper/fig11_fashion_mnist.yaml",
       {FigurePanel{}}},
      {"33",
       "SARCOS inverse dynamics regression, comet vs standard (A.5)",
       "COMET reaches a lower validation MSE than standard as width grows",
       FigureKind::grid,
       "sweeps/paper/fig33_sarcos.yaml",
       "sweeps/paper/fig33_sarcos_cpu.yaml",
       {FigurePanel{}}},
      {"34",
       "ten activation functions, comet vs standard (A.6)",
       "COMET's advantage holds across activation functions",
       FigureKind::bars,
       "sweeps/paper/fig34_activations.yaml",
       "sweeps/paper/fig34_fashion_mnist.yaml",
       {FigurePanel{"", "", {}, "model", "activation"}}},
  };
}

}  // namespace

const std::vector<PaperFigure>& paper_figures() {
  static const std::vector<PaperFigure> figures = make_figures();
  return figures;
}

const PaperFigure& find_paper_figure(const std::vector<PaperFigure>& figures,
                                     const std::string& figure) {
  const std::string name = figure.rfind("fig", 0) == 0 ? figure.substr(3) : figure;
  const auto found = std::find_if(figures.begin(), figures.end(),
                                  [&](const PaperFigure& f) { return f.figure == name; });
  if (found != figures.end()) return *found;
  std::vector<std::string> names;
  for (const auto& f : figures) names.push_back(f.figure);
  throw UsageError(
      fmt::format("figure '{}' is not one comet regenerates; allowed: {} (comet "
                  "paper list)",
                  figure, fmt::join(names, ", ")));
}

}  // namespace comet::cli
