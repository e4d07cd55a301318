// Parser of the mtree language (LANGUAGE.md sections 2-9).
//
// The grammar is kept SLL-friendly: mtc parses with SLL and bail-out first and
// falls back to full LL only when that fails. Expressions use one rule per
// precedence level with flat loops, so a long chain `a + b + c + ...` gives a
// flat parse tree rather than a deep one.
parser grammar MTreeParser;

options { tokenVocab = MTreeLexer; }

file : decl* EOF ;

decl
  : modelDecl
  | importDecl
  | unitDecl
  | dimensionDecl
  | chainDecl
  | sourceDecl
  | paramDecl
  | metricDecl
  | relationDecl
  | constraintDecl
  | eventDecl
  | goalDecl
  | benchmarkDecl
  | functionDecl
  | statement
  ;

// ---------------------------------------------------------------- declarations

modelDecl     : MODEL ident STRING? propBlock? ;
importDecl    : IMPORT STRING ;
unitDecl      : UNIT ident STRING? (ASSIGN number unitExpr)? ;
dimensionDecl : DIMENSION ident STRING? ( LBRACE (dimValue (COMMA dimValue)* COMMA?)? RBRACE
                                        | FROM qualifiedName ) ;
dimValue      : ident STRING? ;
chainDecl     : CHAIN ident STRING? ident? LBRACE stageDecl* RBRACE ;
stageDecl     : STAGE ident STRING? propBlock? ;
sourceDecl    : SOURCE ident ASSIGN ident LPAREN (sourceArg (COMMA sourceArg)*)? RPAREN propBlock? ;
sourceArg     : STRING | ident LPAREN STRING RPAREN ;   // "text", or env("NAME")
paramDecl     : PARAM ident STRING? COLON unitExpr dimsClause? ASSIGN paramValue
                (TILDE distribution)? propBlock? ;
paramValue    : sliceMap | expr ;
distribution  : ident LPAREN expr (COMMA expr)* RPAREN ;
metricDecl    : METRIC ident STRING? COLON unitExpr dimsClause? (ASSIGN expr)? propBlock? ;
dimsClause    : BY ident (COMMA ident)* ;
relationDecl  : RELATION ident (ARROW | BIARROW) ident COLON ident propBlock? ;
constraintDecl: CONSTRAINT ident STRING? COLON expr propBlock? ;
eventDecl     : EVENT ident STRING? AT periodSpan propBlock? ;
goalDecl      : GOAL ident STRING? COLON expr (BY period)? propBlock? ;
benchmarkDecl : BENCHMARK ident STRING? sliceMap ;
functionDecl  : FUNCTION ident LPAREN (ident (COMMA ident)*)? RPAREN ASSIGN expr ;

// { key: value, key: { nested: value } } -- per-slice params and benchmarks
sliceMap   : LBRACE (sliceEntry (COMMA sliceEntry)* COMMA?)? RBRACE ;
sliceEntry : key COLON ( sliceMap | expr (TILDE distribution)? ) ;

// ------------------------------------------------------------------ statements

statement
  : DESCRIBE nameList describeRange? propBlock?                          # describeStmt
  | DIAGNOSE ident AT period (VS vsTarget)? propBlock?                   # diagnoseStmt
  | FORECAST nameList FOR duration propBlock?                            # forecastStmt
  | SEEK ident VARYING nameList propBlock?                               # seekStmt
  | SIMULATE nameList FOR duration propBlock?                            # simulateStmt
  | OPTIMIZE ident? LBRACE optItem* RBRACE                               # optimizeStmt
  | RECOMMEND FOR ident propBlock?                                       # recommendStmt
  ;

describeRange
  : FROM period (TO period)?
  | TO period
  | AT periodSpan
  ;

// a period, `previous` or `same period last year`: any words here, so that the
// AST builder says which words are expected (`vs last year` is one clear error)
vsTarget : period | ident+ ;

optItem
  : (MAXIMIZE | MINIMIZE) expr                                           # objectiveItem
  | VARY INTEGER? ident (COMMA ident)* bound*                            # varyItem
  | SUBJECT TO LBRACE namedExpr* RBRACE                                  # subjectToItem
  | propEntry                                                            # optPropItem
  ;

bound     : (GE | LE | EQEQ | GT | LT) addExpr ;
namedExpr : ident COLON expr ;
nameList  : ident (COMMA ident)* ;

// ------------------------------------------------------------- property blocks

propBlock : LBRACE propEntry* RBRACE ;
propEntry : key COLON propValue ;
propValue : propItem (COMMA propItem)* ;
propItem
  : duration
  | periodSpanValue
  | expr
  ;
// `2025-03 .. 2025-06` inside a property block
periodSpanValue : period DOTDOT period ;

// ------------------------------------------------------- periods and durations

period     : INT (MINUS (INT | ID) (MINUS INT)?)? ;
periodSpan : period (DOTDOT period)? ;
duration   : INT ident ;

// ------------------------------------------------------------------ units

unitExpr   : unitFactor ((STAR | SLASH) unitFactor)* ;
unitFactor : (ident | INT | LPAREN unitExpr RPAREN) (CARET MINUS? INT)? ;

// ------------------------------------------------------------------ expressions

expr    : orExpr ;
orExpr  : andExpr (OR andExpr)* ;
andExpr : notExpr (AND notExpr)* ;
notExpr : NOT notExpr | cmpExpr ;
cmpExpr : addExpr (cmpOp addExpr)? ;
cmpOp   : LT | LE | GT | GE | EQEQ | NEQ ;
addExpr : mulExpr ((PLUS | MINUS) mulExpr)* ;
mulExpr : unaryExpr ((STAR | SLASH) unaryExpr)* ;
unaryExpr : (MINUS | PLUS) unaryExpr | powExpr ;
powExpr : postfixExpr (CARET unaryExpr)? ;
postfixExpr : primary (LBRACK sliceSel (COMMA sliceSel)* RBRACK)? ;
sliceSel : ident (COLON ident)? ;

primary
  : number                                              # numberLit
  | STRING                                              # stringLit
  | LPAREN MINUS? number unitExpr RPAREN                # quantityLit
  | LPAREN expr RPAREN                                  # parenExpr
  | ident LPAREN callArgs? RPAREN                       # callExpr
  | qualifiedName                                       # nameRef
  ;

callArgs
  : expr (COMMA expr)* (OVER ident (COMMA ident)*)?
  | OVER ident (COMMA ident)*
  ;

number        : INT | FLOAT | PERCENT ;
qualifiedName : ident (DOT ident)* ;

// Keywords are soft: a word that starts a top-level declaration (metric, param,
// describe ...) cannot be a name, so a formula left unfinished at the end of a
// line does not swallow the next declaration; every other keyword can be a name.
// Property keys (`key`) may be any word.
ident
  : ID
  | STAGE | MAXIMIZE | MINIMIZE | VARY | VARYING | INTEGER | SUBJECT
  | BY | FROM | TO | AT | VS | OVER | FOR | AND | OR | NOT
  ;
key
  : ident
  | MODEL | IMPORT | UNIT | DIMENSION | CHAIN | SOURCE | PARAM | METRIC
  | RELATION | CONSTRAINT | EVENT | GOAL | BENCHMARK | FUNCTION
  | DESCRIBE | DIAGNOSE | FORECAST | SEEK | SIMULATE | OPTIMIZE | RECOMMEND
  ;
