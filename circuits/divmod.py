"""Integer division with remainder: the worked example of docs/circuits.md."""

from zkats.circuit import Circuit, Output, Private, Public, register
from zkats.circuit.hints import native
from zkats.errors import CircuitError
from zkats.gadgets.bits import range_check
from zkats.gadgets.comparators import less_than


@native("divmod")
def divmod_hint(a, b):
    """Quotient and remainder, computed outside the constraints.  For b == 0
    it returns (0, a): the constraint rem < b then fails, as it must."""
    return [a // b, a % b] if b else [0, a]


@register("divmod")
class DivMod(Circuit):
    """q, rem = divmod(a, b) for n-bit a and b > 0 (a public, b private)."""

    q = Output()
    rem = Output()
    a = Public()
    b = Private()

    #: ``zkats lint``: propagation cannot show integer division; the argument
    #: is in docs/circuits.md section 4 and the mutation tests check it
    LINT_JUSTIFICATIONS = {
        "q": "q, rem are unique: n-bit range checks (n <= 125) make q*b + rem == a hold "
        "over the integers, and rem < b fixes the pair",
        "rem": "see q",
        "divmod[[]*]": "see q",
        "hint_checks*": "see q",
    }

    def __init__(self, n=32):
        if not 1 <= n <= 125:
            raise CircuitError("DivMod needs 1 <= n <= 125 so that q*b + rem cannot wrap mod r")
        self.n = n

    def define(self, api):
        n = self.n
        with api.scope("inputs"):
            range_check(api, self.a, n)
            range_check(api, self.b, n)
        q, rem = api.hint(divmod_hint, self.a, self.b, n_out=2, name="divmod")
        with api.scope("hint_checks"):
            range_check(api, q, n)  # without it q could be any field element
            range_check(api, rem, n)  # less_than's precondition on rem
            api.assert_equal(q * self.b + rem, self.a)
            api.assert_equal(less_than(api, n, rem, self.b), 1)
        api.set_output(self.q, q)
        api.set_output(self.rem, rem)
