# build-driver: build rules (filled in by that part)
