# create-diff-object: build rules (filled in by that part)
