"""Reference data of the accounts app, loaded by `hbmm load_reference`: the roles."""

from hbmm.accounts.services import roles_sync


def load(stdout) -> None:
    counts = roles_sync()
    stdout.write(f"accounts: {len(counts)} roles synchronised\n")
