"""The plugin's own tests: gigs' contract for generators, run on the installed plugin."""

from gigs_core import create_generator
from gigs_core.testing import GeneratorContract


class TestStripes(GeneratorContract):
    def make_generator(self):
        return create_generator("stripes", resolution=16)
