// Clearing ANTLR's DFA cache. The generated lexer and parser share one static
// DFA per grammar decision that grows with every new input and is never
// trimmed; a language server that checks text for hours clears it now and then
// (ENGINEERING.md). The next parse rebuilds what it needs. Parsing is on one
// thread (the server's), so nothing else uses the cache meanwhile.
#include <MTreeLexer.h>
#include <MTreeParser.h>
#include <antlr4-runtime.h>

#include "document.h"

namespace mtc::lsp {

void clearParserCache() {
  antlr4::ANTLRInputStream input("");
  grammar::MTreeLexer lexer(&input);
  antlr4::CommonTokenStream tokens(&lexer);
  grammar::MTreeParser parser(&tokens);
  lexer.getInterpreter<antlr4::atn::LexerATNSimulator>()->clearDFA();
  auto* sim = parser.getInterpreter<antlr4::atn::ParserATNSimulator>();
  sim->clearDFA();
  // The prediction contexts the DFA states shared: only the cache holds them now.
  sim->getSharedContextCache().clear();
}

}  // namespace mtc::lsp
