"""Regenerate the initial Alembic migration from the models (development only, before the first release).

Once a release has shipped, add new revisions with `alembic revision --autogenerate` instead.
"""

import sys
import tempfile
from pathlib import Path

from alembic import command
from alembic.config import Config

from storage.db import MIGRATIONS, make_engine

versions = MIGRATIONS / "versions"
for old in versions.glob("0001_*.py"):
    old.unlink()
with tempfile.TemporaryDirectory() as tmp:
    engine = make_engine(f"sqlite:///{tmp}/empty.db")
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["engine"] = engine
    command.revision(cfg, message="initial schema", autogenerate=True, rev_id="0001")
new = next(versions.glob("0001_*.py"))
text = new.read_text()
new.write_text(text.replace("storage.types.UTCDateTime()", "storage.types.UTCDateTime()"))
print(f"wrote {new.relative_to(Path.cwd())}", file=sys.stderr)
