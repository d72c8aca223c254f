"""Native helpers shared by the state circuits: the epoch inputs."""


def entry_indices(note, epoch):
    """For each slot, the index of its instrument's epoch entry (0 for a zero position)."""
    return [epoch.index_of(s.instrument) if s.position != 0 else 0 for s in note.slots]
