"""Reading the claim of a certificate: the networks and the domain it speaks about.

Trusts: ``network`` (parsing), ``exact`` (numbers)."""
from __future__ import annotations

from .exact import InputError
from .network import Box, Net, parse_domain, parse_net
from .registry import CheckFailure


def claim_networks(claim: dict, names: tuple[str, ...]) -> list[Net]:
    nets = claim.get("networks")
    if not isinstance(nets, dict) or set(nets) != set(names):
        raise CheckFailure(f"claim.networks: expected exactly the networks {', '.join(names)}")
    for n in names:
        # One domain per claim: a network's own box would be ignored, and a reader could
        # believe the claim holds there.
        if isinstance(nets[n], dict) and "domain" in nets[n]:
            raise CheckFailure(f"claim.networks.{n}.domain: networks in a claim carry no domain "
                               "(the claim's domain is the one checked)")
    try:
        return [parse_net(nets[n], f"claim.networks.{n}") for n in names]
    except InputError as e:
        raise CheckFailure(str(e)) from None


def claim_domain(claim: dict, dim: int) -> Box | None:
    """The claim's domain: ``{"box": [[lo, hi], …]}`` or ``null`` for R^d0 (required key)."""
    if "domain" not in claim:
        raise CheckFailure("claim.domain: missing (use null for the whole space R^d0)")
    try:
        return parse_domain(claim["domain"], "claim.domain", dim)
    except InputError as e:
        raise CheckFailure(str(e)) from None


def same_shape(a: Net, b: Net, what: str) -> None:
    if a.widths[0] != b.widths[0] or a.widths[-1] != b.widths[-1]:
        raise CheckFailure(f"{what}: input/output dimensions differ: {a.widths} vs {b.widths}")
