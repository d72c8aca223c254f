"""A one-gadget circuit for testing gadgets, and the shapes of its hint calls."""

from ..circuit import Circuit, Output, Private, compile_circuit


def gadget_circuit(fn, n_in, n_out=1, name="G"):
    """A compiled circuit with private inputs ``x[n_in]`` and outputs
    ``y[n_out] = fn(api, x)`` (``fn`` may return one signal or a list)."""

    class G(Circuit):
        y = Output(n="n_out")
        x = Private(n="n_in")

        def __init__(self):
            self.n_in = n_in
            self.n_out = n_out

        def define(self, api):
            out = fn(api, list(self.x))
            if not isinstance(out, (list, tuple)):
                out = [out]
            for o, v in zip(self.y, out):
                api.set_output(o, v)

    G.__name__ = G.__qualname__ = name
    return compile_circuit(G(), cache=False)


def hint_shapes(cc, inputs):
    """The number of outputs of each hint call made when solving ``inputs``, in order."""
    seen = []

    def hook(i, fn, args, outs):
        seen.append(len(outs))
        return outs

    cc.solve(inputs, hint_hook=hook)
    return seen
