#!/bin/zsh -f
# tests/completion/zsh.zsh PASSTHRU FIXTURES — the zsh completion
# (tools/completion/_passthru):
#  1. exact candidate lists: _passthru run by zsh with the completion
#     system's builtins replaced by recorders (compadd prints what it is
#     given, _files/_users/... name themselves), for the command lines it
#     gets from the completion system (words, CURRENT, PREFIX);
#  2. the real thing: an interactive zsh on a terminal (zpty) with compinit
#     and _passthru in $fpath completes typed lines; Ctrl-A and
#     "print -r -- ZZn" put the completed line on its output.
# Ends with "N passed, M failed".
emulate -L zsh
setopt extendedglob
bin=${1:A} fx=${2:A} top=${0:A:h:h:h}
integer passed=0 failed=0
pass() { (( passed++ )); print -r -- "PASS: $1" }
fail() { (( failed++ )); print -r -- "FAIL: $1" }

# ---- 1. candidate lists ---------------------------------------------------------
compadd() { while [[ $1 == -* && $1 != -- ]]; do shift; done; [[ $1 == -- ]] && shift; print -rl -- "$@" }
_files() { print -r -- "${${*:+@dirs}:-@files}" }
_users() { print -r -- @users }
_groups() { print -r -- @groups }
compset() { [[ $1 == -P && $PREFIX == *=* ]] && { IPREFIX=${PREFIX%%=*}=; PREFIX=${PREFIX#*=} } }
source $top/tools/completion/_passthru 2>/dev/null
path=(${bin:h} $path)

candidates() {	# WORDS...: the last is the word being completed
	local -a words
	local CURRENT PREFIX IPREFIX
	words=("$@")
	CURRENT=$#words
	PREFIX=$words[CURRENT]
	print -r -- ${(j: :)${(o)${(f)"$(_passthru)"}}}
}
expect() {	# WHAT WANT WORDS...
	local what=$1 want=$2 got
	shift 2
	got=$(candidates "$@")
	if [[ $got == $want ]]; then pass "$what"
	else fail "$what: '$*' gives '$got', want '$want'"; fi
}
sv=(passthru --root $fx/server)
amd=(passthru --root $fx/amd)
ws=(passthru --root $fx/workstation)
expect "a command by its start" "status" passthru st
expect "list --class values" "accel audio bridge display net other storage usb" \
	passthru list --class ''
expect "list --class=VALUE" "storage" passthru list --class=st
expect "release: on vfio-pci (amd)" "0000:09:00.0 0000:09:00.1 1002:73bf 1002:ab28" \
	$amd release ''
expect "release: on vfio-pci (server)" "0000:03:02.0" $sv release ''
expect "vfs: SR-IOV physical functions" "0000:03:00.0 8086:1572 ens1f0" $sv vfs ''
expect "show 0000:01: (zsh keeps the whole word)" "0000:01:00.0 0000:01:00.1" \
	$ws show 0000:01:
expect "short addresses" "01:00.0 01:00.1" $ws show 01:
expect "--root: directories" "@dirs" passthru --root ''
expect "check --user: users" "@users" passthru check --user ''
expect "run --guest: guests and files" "@files nic-loopback nic-tx" passthru run --guest nic
expect "emit formats" "cloud-hypervisor json kubevirt libvirt nfd qemu sriov-dp" passthru emit ''

# ---- 2. interactive zsh ---------------------------------------------------------
zmodload zsh/zpty || { fail "zsh/zpty is not available"; print "$passed passed, $failed failed"; exit 1 }
tmp=$(mktemp -d)
cp $top/tools/completion/_passthru $tmp/
lines=("$sv[*] rele" "$sv[*] release " "$ws[*] show enp" "$sv[*] list --class=sto"
       "$sv[*] vfs e" "passthru run --guest nic-l")
want=("$sv[*] release" "$sv[*] release 0000:03:02.0" "$ws[*] show enp3s0"
      "$sv[*] list --class=storage" "$sv[*] vfs ens1f0" "passthru run --guest nic-loopback")
zpty z "TERM=dumb zsh -f -i"
zpty -w z "PS1='%% '; fpath=($tmp \$fpath); autoload -U compinit; compinit -u -D; path=(${bin:h} \$path); unsetopt beep"
for i in {1..$#lines}; do
	zpty -w -n z "$lines[i]"$'\t\C-a'"print -r -- ZZ$i "$'\n'
done
zpty -w z exit
out=""
while zpty -r z chunk; do out+=$chunk; done
zpty -d z
rm -rf $tmp
out=${out//$'\r'/}
for i in {1..$#lines}; do
	got=${${(M)${(f)out}:#ZZ$i *}[1]#ZZ$i }
	if [[ $got == $want[i] ]]; then pass "interactive zsh: '$lines[i]<TAB>'"
	else fail "interactive zsh: '$lines[i]<TAB>' became '$got', want '$want[i]'"; fi
done

print "$passed passed, $failed failed"
(( failed == 0 ))
