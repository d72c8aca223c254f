"""Example circuits: the smallest useful ones, for the guide and the tests."""

from zkats.circuit import Circuit, Output, Private, Public, register


@register("multiplier")
class Multiplier(Circuit):
    """c = a * b with a public and b private (circom's classic Multiplier2)."""

    c = Output()
    a = Public()
    b = Private()

    def define(self, api):
        api.set_output(self.c, self.a * self.b)


@register("product_chain")
class ProductChain(Circuit):
    """out = x^(2^n) by n squarings: n + 1 constraints (a size knob for benchmarks)."""

    out = Output()
    x = Private()

    def __init__(self, n=16):
        self.n = n

    def define(self, api):
        acc = self.x
        for _ in range(self.n):
            acc = api.square(acc)
        api.set_output(self.out, acc)
