# lib: build rules (filled in by that part)
