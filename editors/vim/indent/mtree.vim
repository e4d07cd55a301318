" Vim indent file for mtree: one level inside each `{ ... }` or `( ... )`.
if exists('b:did_indent')
  finish
endif
let b:did_indent = 1

setlocal indentexpr=GetMtreeIndent(v:lnum)
setlocal indentkeys=0{,0},0),!^F,o,O
setlocal autoindent
let b:undo_indent = 'setlocal indentexpr< indentkeys< autoindent<'

if exists('*GetMtreeIndent')
  finish
endif

" The code of a line: strings and comments removed.
function! s:Code(lnum) abort
  let line = getline(a:lnum)
  let line = substitute(line, '"\%(\\.\|[^"\\]\)*"', '""', 'g')
  let line = substitute(line, '//.*$', '', '')
  let line = substitute(line, '/\*.\{-}\*/', '', 'g')
  let line = substitute(line, '/\*.*$', '', '')
  let line = substitute(line, '^.*\*/', '', '')
  return line
endfunction

function! GetMtreeIndent(lnum) abort
  let prev = prevnonblank(a:lnum - 1)
  if prev == 0
    return 0
  endif
  " inside a block comment: keep the indent
  if synIDattr(synID(a:lnum, 1, 1), 'name') ==# 'mtreeBlockComment'
    return -1
  endif
  " a block comment that ends on prev: count from the line that starts it
  if getline(prev) =~# '\*/' && getline(prev) !~# '/\*'
    while prev > 1 && getline(prev) !~# '/\*'
      let prev -= 1
    endwhile
  endif
  let code = s:Code(prev)
  let ind = indent(prev)
  let opens = len(substitute(code, '[^{(\[]', '', 'g'))
  let closes = len(substitute(code, '[^})\]]', '', 'g'))
  " a line that starts by closing was already dedented
  let lead = len(matchstr(code, '^\s*\zs[})\]]\+'))
  let ind += shiftwidth() * (opens - closes + lead)
  if getline(a:lnum) =~# '^\s*[})\]]'
    let ind -= shiftwidth()
  endif
  return max([ind, 0])
endfunction
