"""Word of new work: a task that arrives in an organisation's queue, or is given to one
person, is told to whoever may do it, in the service and by email as each of them chooses
(``engine.people.new_work_email``).

- ``told``: who is told of new tasks and what they read, written in the transaction that
  writes the tasks (the runtime calls ``tell_of_new_work`` with the tasks it made);
- ``digest``: the daily summary, for those who chose one, sent by the sweeps.
"""

from engine.chasing.new_work.digest import DIGEST, digest_key, send_due_digests
from engine.chasing.new_work.told import NEW_WORK, tell_of_new_work

__all__ = ["DIGEST", "NEW_WORK", "digest_key", "send_due_digests", "tell_of_new_work"]
