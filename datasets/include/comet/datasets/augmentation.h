#pragma once
// Training-image augmentation, drawn per (seed, epoch, example id) and computed on the batch's
// device: a resumed trial sees exactly the images an uninterrupted one saw, on any device.
// torch-free header (at::Tensor is only declared).

#include <cstdint>
#include <vector>

namespace at {
class Tensor;
}

namespace comet::datasets {

// What `augment: crop_flip` does, as the ViT base repository's torchvision pipeline
// (RandomCrop(size, padding=4) then RandomHorizontalFlip()): each image is zero-padded by
// `padding` pixels on every side, a window of the original size is cut at a uniform offset in
// [0, 2 * padding] along each axis, and the window is mirrored left-right with probability 1/2.
// Padding is raw 0 (black), as torchvision pads the uint8 image before normalising.
//   raw:         uint8 [batch, C*H*W] rows in CHW order (Split::features() rows)
//   image_shape: {C, H, W}
//   example_ids: int64 [batch], the examples' stable ids, on raw's device
// Returns a new uint8 [batch, C*H*W] on the same device. The draws come from integer hashing
// on the device (no host synchronisation), keyed by `stream_seed` (the trial's augmentation
// stream), `epoch` and the id.
at::Tensor crop_flip(const at::Tensor& raw, const std::vector<std::int64_t>& image_shape,
                     const at::Tensor& example_ids, std::uint64_t stream_seed, std::int64_t epoch,
                     std::int64_t padding = 4);

}  // namespace comet::datasets
