// Lexer of the mtree language (LANGUAGE.md section 2).
//
// Keywords are reserved only where they would be ambiguous: every keyword token
// below is also accepted by the parser's `ident` rule, so `stage`, `from` or
// `by` can still name a property, a column or a metric.
//
// Periods (`2025-07`, `2025-Q3`, `2025-W31`, `2025-07-30`) are not lexer tokens:
// the parser's `period` rule assembles them from INT '-' ... and the AST builder
// checks that they were written without spaces. This keeps `2000-50` inside a
// formula a plain subtraction, as LANGUAGE.md requires.
lexer grammar MTreeLexer;

// ---- keywords (soft: see the parser's `ident`) ----
MODEL      : 'model' ;
IMPORT     : 'import' ;
UNIT       : 'unit' ;
DIMENSION  : 'dimension' ;
CHAIN      : 'chain' ;
STAGE      : 'stage' ;
SOURCE     : 'source' ;
PARAM      : 'param' ;
METRIC     : 'metric' ;
RELATION   : 'relation' ;
CONSTRAINT : 'constraint' ;
EVENT      : 'event' ;
GOAL       : 'goal' ;
BENCHMARK  : 'benchmark' ;
FUNCTION   : 'function' ;
DESCRIBE   : 'describe' ;
DIAGNOSE   : 'diagnose' ;
FORECAST   : 'forecast' ;
SEEK       : 'seek' ;
SIMULATE   : 'simulate' ;
OPTIMIZE   : 'optimize' ;
RECOMMEND  : 'recommend' ;
MAXIMIZE   : 'maximize' ;
MINIMIZE   : 'minimize' ;
VARY       : 'vary' ;
VARYING    : 'varying' ;
INTEGER    : 'integer' ;
SUBJECT    : 'subject' ;
BY         : 'by' ;
FROM       : 'from' ;
TO         : 'to' ;
AT         : 'at' ;
VS         : 'vs' ;
OVER       : 'over' ;
FOR        : 'for' ;
AND        : 'and' ;
OR         : 'or' ;
NOT        : 'not' ;

// ---- punctuation and operators ----
BIARROW : '<->' ;
ARROW   : '->' ;
DOTDOT  : '..' ;
LE      : '<=' ;
GE      : '>=' ;
EQEQ    : '==' ;
NEQ     : '!=' ;
LT      : '<' ;
GT      : '>' ;
ASSIGN  : '=' ;
PLUS    : '+' ;
MINUS   : '-' ;
STAR    : '*' ;
SLASH   : '/' ;
CARET   : '^' ;
TILDE   : '~' ;
LPAREN  : '(' ;
RPAREN  : ')' ;
LBRACE  : '{' ;
RBRACE  : '}' ;
LBRACK  : '[' ;
RBRACK  : ']' ;
COMMA   : ',' ;
COLON   : ':' ;
DOT     : '.' ;

// ---- literals ----
PERCENT : (DIGITS ('.' DIGITS)? EXPONENT? ) '%' ;
FLOAT   : DIGITS '.' DIGITS EXPONENT? | DIGITS EXPONENT ;
INT     : DIGITS ;
STRING  : '"' ( '\\' . | ~["\\\r\n] )* '"' ;
ID      : [A-Za-z_] [A-Za-z0-9_]* ;

fragment DIGITS   : [0-9]+ ('_' [0-9]+)* ;
fragment EXPONENT : [eE] [+-]? [0-9]+ ;

// ---- trivia: kept on the hidden channel so `mtc fmt` can keep comments ----
DOC_COMMENT   : '///' ( ~[/\r\n] ~[\r\n]* )? -> channel(HIDDEN) ;
LINE_COMMENT  : '//' ~[\r\n]* -> channel(HIDDEN) ;
BLOCK_COMMENT : '/*' .*? '*/' -> channel(HIDDEN) ;
NEWLINE       : ( '\r\n' | '\n' | '\r' ) -> channel(HIDDEN) ;
WS            : [ \t\f\u00A0\uFEFF]+ -> channel(HIDDEN) ;

// An unterminated string or block comment, or any other stray character, becomes
// one ERROR token that the parser reports with its location.
UNTERMINATED_STRING : '"' ( '\\' . | ~["\\\r\n] )* ;
UNTERMINATED_COMMENT : '/*' ( ~'*' | '*'+ ~[*/] )* '*'* EOF ;
ERROR_CHAR : . ;
