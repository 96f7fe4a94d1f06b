# bash completion for passthru(1)                              -*- shell-script -*-
# Installed as bash-completion/completions/passthru.  Every candidate comes
# from the tool itself (`passthru __complete WORDS...`): commands, options
# and their values, and the devices, vendor:device ids and interface names
# of this machine, or of the tree named by --root on the line.  Needs
# nothing from the bash-completion package.

_passthru()
{
	local line=${COMP_LINE:0:COMP_POINT} cur val out c brk= pre= i
	local -a words
	local IFS=$' \t\n'

	# Split as the user sees the line: bash's COMP_WORDS would cut
	# 0000:01:00.0 and --class=net at ':' and '='.
	read -r -a words <<<"$line"
	[[ $line =~ [[:space:]]$ || ${#words[@]} -eq 0 ]] && words+=("")
	cur=${words[${#words[@]} - 1]}
	val=$cur
	[[ $cur == --*=* ]] && val=${cur#*=}
	out=$("${words[0]}" __complete "${words[@]:1}" 2>/dev/null) || return 0
	COMPREPLY=()
	IFS=$'\n'
	for c in $out; do
		case $c in
		@files) compopt -o filenames 2>/dev/null; COMPREPLY+=($(compgen -f -- "$val")) ;;
		@dirs) compopt -o filenames 2>/dev/null; COMPREPLY+=($(compgen -d -- "$val")) ;;
		@users) COMPREPLY+=($(compgen -u -- "$val")) ;;
		@groups) COMPREPLY+=($(compgen -g -- "$val")) ;;
		*) COMPREPLY+=("$c") ;;
		esac
	done
	# bash replaces only the part of the word after its last ':' or '='
	# (if COMP_WORDBREAKS has them): give it the candidates from there on.
	[[ $COMP_WORDBREAKS == *:* ]] && brk+=:
	[[ $COMP_WORDBREAKS == *=* ]] && brk+==
	if [[ -n $brk && $cur == *["$brk"]* ]]; then
		pre=${cur%"${cur##*["$brk"]}"}
		for i in "${!COMPREPLY[@]}"; do
			COMPREPLY[i]=${COMPREPLY[i]#"$pre"}
		done
	fi
	return 0
}
complete -F _passthru passthru
