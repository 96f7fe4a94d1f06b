# tools/: the passthru command — one file per sub-command (cmd-*.c).
TOOL_SRCS += tools/passthru.c $(filter-out tools/passthru.c,$(sort $(wildcard tools/*.c)))

# passthru(1) and the shell completions (which ask `passthru __complete`
# for everything that depends on the machine: tools/cmd-complete.c).
# bash-completion reads DATADIR/bash-completion/completions for /usr and
# /usr/local alike; zsh's $fpath has /usr/share/zsh/vendor-completions for
# the system's packages and /usr/local/share/zsh/site-functions for the rest.
BASHCOMPDIR ?= $(DATADIR)/bash-completion/completions
ZSHCOMPDIR  ?= $(DATADIR)/zsh/$(if $(filter /usr,$(PREFIX)),vendor-completions,site-functions)
INSTALL_FILES += 0644:tools/passthru.1:$(MANDIR)/man1/passthru.1 \
	0644:tools/completion/passthru.bash:$(BASHCOMPDIR)/passthru \
	0644:tools/completion/_passthru:$(ZSHCOMPDIR)/_passthru
