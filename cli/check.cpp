// `mtc check`: parse and type-check models; located diagnostics; exit 1 on errors.
#include <iostream>
#include <nlohmann/json.hpp>

#include "commands.h"

namespace mtc::cli {

namespace {

struct CheckOptions {
  std::vector<std::string> files;
  std::string format = "text";
  bool dumpIr = false;
};

int cmdCheck(const CheckOptions& o, const CommonOptions& common) {
  int rc = 0;
  nlohmann::json all = nlohmann::json::array();
  CompileOptions options = compileOptions(common);  // stdlib lookup once, not per file
  // The last file's compilation is not freed: the process ends with std::_Exit, and freeing
  // the AST and IR of a large model is a tenth of its check (held by a static, so a leak
  // checker still sees it reachable).
  static std::unique_ptr<Compilation> last;
  for (const std::string& f : o.files) {
    auto c = compile(f, options);
    if (o.format == "json") {
      for (auto& d : toJson(c->sources, c->diags)) all.push_back(d);
    } else {
      printDiagnostics(*c);
    }
    if (c->diags.hasErrors()) rc = 1;
    else if (o.dumpIr && c->model && o.format != "json") std::fputs(mtc::dumpIr(*c->model).c_str(), stdout);
    if (&f == &o.files.back()) last = std::move(c);
  }
  if (o.format == "json") std::cout << nlohmann::json{{"diagnostics", all}}.dump(2) << "\n";
  return rc;
}

}  // namespace

void addCheck(CLI::App& app, Registry& reg) {
  static CheckOptions o;
  auto* sub = app.add_subcommand("check", "parse and type-check models; located diagnostics; exit 1 on errors");
  sub->add_option("files", o.files, "the .mtree files")->required();
  sub->add_option("--format", o.format, "diagnostics as text (stderr) or json (stdout)")->check(CLI::IsMember({"text", "json"}));
  sub->add_flag("--dump-ir", o.dumpIr, "print the typed IR of a model that checks");
  addCommonFlags(sub, reg.common);
  sub->callback([&reg] { reg.action = [&reg] { return cmdCheck(o, reg.common); }; });
}

}  // namespace mtc::cli
