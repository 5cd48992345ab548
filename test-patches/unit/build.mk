# test-patches/unit: build rules (filled in by that part)
