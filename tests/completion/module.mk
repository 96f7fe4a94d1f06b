# tests/completion/: the bash and zsh completions (tools/completion/) on the
# fixture machines and this machine, exact candidate lists, and each shell
# completing typed lines on a terminal (bash under script(1), zsh in zpty).
.PHONY: check-completion
check-completion: $(PASSTHRU) $(BUILD)/fixtures/.stamp
	NEED="bash zsh script jq" scripts/run-suite $(BUILD)/results completion-bash \
		bash tests/completion/bash.sh $(PASSTHRU) $(BUILD)/fixtures
	NEED="zsh" scripts/run-suite $(BUILD)/results completion-zsh \
		zsh -f tests/completion/zsh.zsh $(PASSTHRU) $(BUILD)/fixtures
CHECK_TARGETS += check-completion
SAN_CHECK_TARGETS += check-completion
