import threading

import pytest
from django.db import close_old_connections

from filings.numbering import next_number, next_value


@pytest.mark.django_db
def test_numbers_count_up_per_key():
    assert [next_value("A") for _ in range(3)] == [1, 2, 3]
    assert next_value("B") == 1
    assert next_number("2026DP", width=6) == "2026DP000001"
    assert next_number("2026DP", width=6) == "2026DP000002"


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_callers_never_get_the_same_number():
    results, errors = [], []
    barrier = threading.Barrier(8)

    def worker():
        try:
            barrier.wait()
            for _ in range(10):
                results.append(next_value("race"))
        except Exception as error:  # surfaced below
            errors.append(error)
        finally:
            close_old_connections()

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sorted(results) == list(range(1, 81))
