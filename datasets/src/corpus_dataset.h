#pragma once
// Private to datasets/. A text corpus as a Dataset: its documents tokenized (or read from the
// token cache), each split's ids concatenated and cut into blocks of block_size as HF's run_clm
// does (the remainder dropped), on the device.

#include <memory>

#include "text/text_corpora.h"

#include "comet/datasets/dataset.h"

namespace comet::datasets {

// request.options: block_size (default 1024). `cache_root` is <data root>/<corpus>/tokens.
std::shared_ptr<const Dataset> corpus_dataset(const DatasetRequest& request,
                                              const CorpusText& corpus,
                                              const std::filesystem::path& data_root,
                                              const std::filesystem::path& cache_root);

}  // namespace comet::datasets
