import tests.work.sample_handlers  # noqa: F401  (registers the handlers the tests run)
