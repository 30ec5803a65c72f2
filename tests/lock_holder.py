"""Another program holding a SQLite store's write lock, for the fault tests
(tests/widgets/test_session.py, tests/browser/test_faults.py):

    python tests/lock_holder.py STORE.sqlite SECONDS

prints ``locked`` once it holds the lock (``BEGIN IMMEDIATE``), keeps it
for SECONDS, then lets it go without writing anything."""

import sqlite3
import sys
import time

db = sqlite3.connect(sys.argv[1], timeout=60, isolation_level=None)
db.execute("BEGIN IMMEDIATE")
print("locked", flush=True)
time.sleep(float(sys.argv[2]))
db.execute("ROLLBACK")
db.close()
