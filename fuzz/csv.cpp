// Fuzz target: the CSV reader (runtime/src/table.h readCsv) on one file, with a
// fixed set of wanted columns: month (the period), region and channel
// (dimensions), orders, revenue and value (numbers); `NA` means missing. The
// input is written to a file in an empty folder, which is the only read root.
#include <string>

#include "driver.h"
#include "mtc/fileio.h"
#include "table.h"

namespace table = mtc::rt::table;

static table::Wanted wanted;
static mtc::ReadRoots roots;
static std::string path;

void fuzzSetUp() {
  wanted.time = {"month", "the period"};
  wanted.dims = {{"region", "a dimension"}, {"channel", "a dimension"}};
  wanted.numbers = {{"orders", "data"}, {"revenue", "data"}, {"value", "data"}};
  wanted.missing = {"NA"};
  roots.root = mtc::canonicalPath(fuzz::tempDir());
  roots.dirs = {roots.root};
  path = roots.root + "/data.csv";
}

void fuzzOne(const uint8_t* data, size_t size) {
  fuzz::writeFile(path, data, size);
  table::Table t;
  t.file = path;
  std::vector<table::Issue> issues;
  table::readCsv(path, ',', wanted, t, issues, roots);
}
