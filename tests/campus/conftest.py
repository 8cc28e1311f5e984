from tests.support.run_all_process import running_stack  # noqa: F401  (the `supervised` fixture)
