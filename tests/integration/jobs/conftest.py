"""The redis-server fixture for the RQ worker tests of this folder."""

from tests.support.redis import redis_url  # noqa: F401
