from datetime import UTC, datetime

from babillard.core.ids import id_floor, new_id


def test_ids_sort_by_time_and_do_not_collide():
    ids = [new_id() for _ in range(10_000)]
    assert len(set(ids)) == len(ids)
    earlier = new_id(datetime(2020, 1, 1, tzinfo=UTC))
    assert earlier < ids[0]
    assert (
        id_floor(datetime(2020, 1, 1, tzinfo=UTC))
        <= earlier
        < id_floor(datetime(2020, 1, 1, 0, 0, 1, tzinfo=UTC))
    )
