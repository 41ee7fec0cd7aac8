"""More distinct spellings of a world's tracks than its users scrobbled, for evaluation and
benchmarks at scale. Uses the world's own spelling factory, so the noise and the ground
truth semantics are exactly those of the world's users (new spellings are appended to
`world.spellings`, deduplicated by text as the world does)."""
from __future__ import annotations

import random

from .model import Spelling
from .world import World, _SpellingFactory


def sample_spellings(world: World, n: int, *, seed: int = 0, profiles: int = 12) -> list[Spelling]:
    """n distinct spellings of uniformly drawn tracks, each written by one of `profiles` player
    profiles (profile 0 is the mostly-clean client, as in the world)."""
    factory = _SpellingFactory(world, world.config.seed)
    rng = random.Random(seed)
    track_ids = sorted(world.tracks)
    picked: dict[int, Spelling] = {}
    attempts = 0
    while len(picked) < n:
        attempts += 1
        if attempts > 20 * n + 1000:
            raise ValueError(f"the world has too few tracks for {n} distinct spellings; use a bigger WorldConfig")
        idx = factory.get(rng.choice(track_ids), rng.randrange(profiles))
        picked.setdefault(idx, world.spellings[idx])
    return list(picked.values())
