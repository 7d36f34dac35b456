// A worker that takes every message and never answers: the hash pool's stall bound is under test.
self.onmessage = () => {};
