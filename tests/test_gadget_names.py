"""The gadget library's naming rule (docs/circuits.md, section 3): a gadget
``name(api, ...)`` has its plain twin ``name_plain(...)``; a constraint-only
gadget ``assert_p(api, ...)`` has the twin ``p_plain(...)``."""

import importlib
import inspect
import pkgutil

import zkats.gadgets


def _public_functions():
    for info in pkgutil.iter_modules(zkats.gadgets.__path__):
        mod = importlib.import_module(f"zkats.gadgets.{info.name}")
        for name, fn in vars(mod).items():
            if inspect.isfunction(fn) and fn.__module__ == mod.__name__ and name[0] != "_":
                yield mod.__name__, name, fn


def _takes_api(fn):
    params = list(inspect.signature(fn).parameters)
    return bool(params) and params[0] == "api"


def test_plain_twins_and_gadgets_follow_the_naming_rule():
    fns = list(_public_functions())
    gadgets = {name for _, name, fn in fns if _takes_api(fn)}
    assert {"num2bits", "poseidon", "babyjub_add", "merkle_root", "pedersen_commit"} <= gadgets
    wrong = []
    for mod, name, fn in fns:
        if not name.endswith("_plain"):
            continue
        base = name[: -len("_plain")]
        if _takes_api(fn):
            wrong.append(f"{mod}.{name} takes api: a gadget's name has no _plain")
        elif base not in gadgets and f"assert_{base}" not in gadgets:
            wrong.append(f"{mod}.{name} has no gadget {base} or assert_{base}")
    assert not wrong, "\n".join(wrong)


def test_package_exports_the_plain_twins():
    for name in zkats.gadgets.__all__:
        fn = getattr(zkats.gadgets, name)
        assert not (inspect.isfunction(fn) and _takes_api(fn)), name
