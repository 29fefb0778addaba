#pragma once
// Private to datasets/. Tiny ImageNet (200 classes of 64x64 colour images), read from the
// publisher's tiny-imagenet-200 folder and kept decoded in a binary cache beside it.

#include <string_view>

#include "raw_data.h"

namespace comet::datasets {

// The cache's file name, written into the first context folder that holds the data.
inline constexpr std::string_view kTinyImagenetCacheName = "tiny-imagenet-200.comet-cache";

// Looks for wnids.txt in <dir>/tiny-imagenet-200/, then <dir>/, for each context folder in
// order. train: train/<wnid>/images/*.JPEG; test: val/images/*.JPEG labelled by
// val/val_annotations.txt. Class = index of the wnid in sorted order; rows are 3*64*64 bytes,
// CHW. Throws DatasetError naming the file for anything missing, malformed or not 64x64.
RawData read_tiny_imagenet(const ReaderContext& context);

}  // namespace comet::datasets
