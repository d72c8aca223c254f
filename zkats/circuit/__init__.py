"""The zkats circuit DSL: declare signals, write ``define(api)``, compile, solve.

>>> from zkats.circuit import Circuit, Public, Private, Output, compile_circuit
>>> class Mul(Circuit):
...     c = Output()
...     a = Public()
...     b = Private()
...     def define(self, api):
...         api.set_output(self.c, self.a * self.b)
>>> cc = compile_circuit(Mul(), cache=False)
>>> cc.n_constraints, cc.solve({"a": 3, "b": 5}).public
(2, [15, 3])

See docs/circuits.md for the guide.
"""

from .api import API, Builder, Solver
from .compiled import CompiledCircuit, Witness, compile_circuit, parse_inputs
from .declare import Circuit, Output, Private, Public, group, register, registered
from .lc import LC
from .loader import list_circuits, load_circuit

__all__ = [
    "API",
    "Builder",
    "Solver",
    "Circuit",
    "Output",
    "Public",
    "Private",
    "group",
    "LC",
    "CompiledCircuit",
    "Witness",
    "compile_circuit",
    "parse_inputs",
    "register",
    "registered",
    "list_circuits",
    "load_circuit",
]
