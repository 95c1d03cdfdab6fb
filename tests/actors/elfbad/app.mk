# elfbad's crafted variants (tests/images/protect.image): the built ELF with one more
# program header, made by craft.py.
$(B)/actors/elfwild.elf $(B)/actors/elfro.elf: $(B)/actors/elf%.elf: $(B)/actors/elfbad.elf tests/actors/elfbad/craft.py
	$(call msg,CRAFT,$@)
	$(Q)$(PYTHON) tests/actors/elfbad/craft.py $* $< $@
