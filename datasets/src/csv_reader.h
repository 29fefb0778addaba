#pragma once
// Private to datasets/. Tabular data from CSV files: every column but the target is a float
// feature.

#include "raw_data.h"

namespace comet::datasets {

// Options (dataset-scoped sweep keys):
//   file       required; absolute, or relative to the context folders (first match wins)
//   test_file  optional; same columns in the same order as `file`
//   target     required; name of the target column in the header row
//   task       "classification" (default) or "regression"
// Format: a header row, comma-separated fields, optional double quotes ("" is a quote inside
// them), LF or CRLF line ends, blank lines allowed only at the end. Spaces and tabs around a
// field are ignored. Features must be finite numbers (no nan, inf or empty field).
// Classification: the target's distinct texts, sorted numerically when all are numbers, else
// byte-wise, are classes 0..C-1 (outputs = C); the test file may use only those. Regression: a
// finite float target (outputs = 1). Normalisation: per feature, from the training split.
// Errors are DatasetErrors "file:line:column: problem", column = 1-based field number.
RawData read_csv(const ReaderContext& context);

}  // namespace comet::datasets
