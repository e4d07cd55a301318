" Vim filetype plugin for mtree (business metric models)
if exists('b:did_ftplugin')
  finish
endif
let b:did_ftplugin = 1
let s:cpo_save = &cpo
set cpo&vim

setlocal commentstring=//\ %s
setlocal comments=s1:/*,mb:*,ex:*/,:///,://
setlocal formatoptions-=t formatoptions+=croql
setlocal suffixesadd=.mtree
" `gf` and [i on `import "stdlib/marketing.mtree"`
setlocal include=^\\s*import\\s\\+\"\\zs[^\"]\\+\\ze\"
setlocal iskeyword=@,48-57,_,192-255

let b:undo_ftplugin = 'setlocal commentstring< comments< formatoptions< suffixesadd< include< iskeyword<'

" The layout of `mtc fmt` (and of LANGUAGE.md): two spaces, no tabs.
" let g:mtree_recommended_style = 0 to keep your own settings.
if get(g:, 'mtree_recommended_style', 1)
  setlocal expandtab shiftwidth=2 softtabstop=2
  let b:undo_ftplugin .= ' | setlocal expandtab< shiftwidth< softtabstop<'
endif

" :make runs `mtc check` on the current file (see compiler/mtc.vim).
if !exists('current_compiler')
  compiler mtc
  let b:undo_ftplugin .= ' | setlocal makeprg< errorformat<'
endif

let &cpo = s:cpo_save
unlet s:cpo_save
